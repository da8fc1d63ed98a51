import { compareReady } from '../../domain/readiness.ts';
import { parseRigName, type Rig } from '../../domain/rig.ts';
import { QUEUED_LABEL } from '../../domain/sling.ts';
import { describeLimit, type UsageLimit } from '../../domain/usage-limit.ts';
import type { Ledger, WriteContext } from '../../ledger/port.ts';
import { flag, reqString } from '../args.ts';
import { defineCommand } from '../command.ts';
import { sling } from './sling.ts';
import { retireLiftedNotices } from './usage-limit-notice.ts';
import { liftPause } from './usage-limit-pause.ts';

export interface ResumeResult {
  rig: Rig;
  /** The pause lifted (with `lifted_at` set). */
  lifted: UsageLimit;
  /** Notices retired because no rig of their account is paused any more. */
  retired: string[];
  /** Beads that waited in the rig's queue and are hooked now. */
  dispatched: string[];
}

/**
 * The rig's queued beads (what `gt sling` deferred while it was paused, and any waiting for a
 * slot) in priority order, slung until the rig is full again — as the feeder releases a queue.
 * A bead that cannot be slung any more (closed, blocked meanwhile) is left for the stranded scan.
 */
async function feedQueue(ledger: Ledger, rig: string, write: WriteContext): Promise<string[]> {
  const queued = (await ledger.listBeads({ rig, label: QUEUED_LABEL, status: ['open'] })).sort(compareReady);
  const dispatched: string[] = [];
  for (const b of queued) {
    const result = await sling(ledger, b.id, undefined, false, write).catch(() => null);
    if (result?.status === 'queued') break;
    if (result?.status === 'hooked') dispatched.push(b.id);
  }
  return dispatched;
}

/**
 * `gt rig resume <name> [--due]`: lifts a rig's usage-limit pause (domain/usage-limit.ts), retires
 * the notice once no rig of its account is paused, and feeds the rig's queue at once. The lift job
 * runs it with `--due` for every pause whose time has come (services/limit-lift.ts); a person runs
 * it without, to resume early (a plan upgraded, a key rotated). The lift is a compare-and-swap on
 * the rig: with `--due`, a pause made longer meanwhile is left alone.
 */
export const gtRigResume = defineCommand<ResumeResult>({
  path: ['gt', 'rig', 'resume'],
  summary: 'Lift a rig’s usage-limit pause: dispatch resumes now',
  usage: 'gt rig resume <name> [--due]',
  syntax: {
    positionals: [{ name: 'name', required: true }],
    flags: {
      due: { type: 'boolean', description: 'only if the pause’s time has come (what the lift job asks)' },
    },
  },
  mutates: true,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const name = parseRigName(reqString(args, 'name'));
    const write = ctx.write();
    const { rig, lifted } = await liftPause(ledger, name, write, flag(args, 'due'));
    const retired = await retireLiftedNotices(ledger, write);
    const dispatched = await feedQueue(ledger, name, write);
    return { data: { rig, lifted, retired, dispatched } };
  },
  text: (r) =>
    `rig ${r.rig.name} resumed (was paused: ${describeLimit(r.lifted)})${
      r.dispatched.length ? `; dispatched ${r.dispatched.join(', ')}` : ''
    }`,
});
