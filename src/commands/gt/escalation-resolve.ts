import type { Bead } from '../../domain/bead.ts';
import { conflict, notFound, refused } from '../../domain/errors.ts';
import { escalationView } from '../../domain/escalation.ts';
import {
  describeResolution,
  parseResolution,
  type Resolution,
  touchesBead,
} from '../../domain/resolution.ts';
import { clearRespawns } from '../../domain/respawns.ts';
import { polecatAddress, polecatNames } from '../../domain/sling.ts';
import type { WriteContext } from '../../ledger/port.ts';
import { flag, optString, reqString } from '../args.ts';
import { type CommandContext, defineCommand } from '../command.ts';
import { applyMergeStep, heldMergeFor } from './escalation-merge.ts';
import {
  assertOpen,
  checkVersion,
  type EscalationRecord,
  loadEscalation,
  VERSION_FLAG,
  withView,
} from './escalation-record.ts';
import { nudgeAgent } from './nudge.ts';
import { releaseFromHook, respawnOnHook } from './polecat.ts';

/** What the escalation's bead and agent are when a resolution acts on them. */
interface Target {
  bead: Bead;
  agent: string;
}

/**
 * `gt escalation resolve`: a person's decision, applied atomically. The decision point is one
 * compare-and-swap on the escalation's version (open → in_progress): of two clicks, two
 * replicas or a retried request, exactly one proceeds and the rest are refused. The action is
 * then one compare-and-swap on the bead (hooked to A → hooked to B, or back to the queue); if
 * it cannot apply (the bead moved meanwhile) the escalation is put back and nothing changed.
 */
export const gtEscalationResolve = defineCommand<EscalationRecord>({
  path: ['gt', 'escalation', 'resolve'],
  summary: 'Resolve an escalation: apply a proposed action, or note what was done',
  usage:
    'gt escalation resolve <id> [--action reassign:<rig>/<name>|reassign:queue|release|restart|merge:retry|merge:rework|merge:reject|merge:land-anyway|acknowledge|TEXT] [--version N] [--force]',
  syntax: {
    positionals: [{ name: 'id', required: true }],
    flags: {
      action: { type: 'string', description: 'a proposed action, or what was done by hand' },
      force: { type: 'boolean', description: 'allow reassigning to a polecat of another rig' },
      ...VERSION_FLAG,
    },
  },
  mutates: true,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const e = await loadEscalation(ledger, reqString(args, 'id'));
    assertOpen(e);
    checkVersion(e, optString(args, 'version'));
    const resolution = parseResolution(optString(args, 'action'));
    const target = touchesBead(resolution) ? await targetOf(ctx, e) : null;
    const held = resolution.type === 'merge' ? await heldMergeFor(ctx, e) : null;
    if (resolution.type === 'reassign' && target)
      await checkReassign(ctx, target, resolution, flag(args, 'force'));
    const write = ctx.write();
    const deciding = await ledger.claimBead(
      e.id,
      {
        expect: { status: e.status, assignee: e.assignee, version: e.version },
        set: { status: 'in_progress', assignee: e.assignee },
      },
      write,
    );
    if (!deciding)
      throw conflict(
        'stale_version',
        `${e.id} changed while you decided (resolved or acknowledged by someone else)`,
      );
    try {
      if (target) await apply(ctx, resolution, target, write);
      if (held && resolution.type === 'merge') await applyMergeStep(ctx, resolution.step, held, write);
    } catch (err) {
      await ledger.claimBead(
        e.id,
        {
          expect: { status: 'in_progress', assignee: e.assignee, version: deciding.version },
          set: { status: e.status, assignee: e.assignee },
        },
        write,
      );
      throw err;
    }
    const reason = `Resolved: ${describeResolution(resolution)} by ${ctx.actor.id}`;
    return { data: withView(await ledger.closeBead(e.id, { reason, force: true }, write)) };
  },
  text: (e) => `resolved ${e.id} (${e.close_reason})`,
});

async function targetOf(ctx: CommandContext, e: Bead): Promise<Target> {
  const { agent, bead_id } = escalationView(e);
  if (!agent || !bead_id)
    throw refused(
      'nothing_to_act_on',
      `${e.id} names no bead and agent to act on; resolve it with --action acknowledge or a note`,
    );
  const bead = await ctx.services.ledger.getBead(bead_id);
  const hooked = bead?.assignee === agent && (bead.status === 'hooked' || bead.status === 'in_progress');
  if (!bead || !hooked)
    throw refused(
      'condition_cleared',
      `${bead_id} is no longer on ${agent}'s hook (${bead ? `${bead.status}${bead.assignee ? `, ${bead.assignee}` : ''}` : 'gone'}); resolve with --action acknowledge`,
    );
  return { bead, agent };
}

async function checkReassign(
  ctx: CommandContext,
  { bead, agent }: Target,
  to: Extract<Resolution, { type: 'reassign' }>,
  force: boolean,
): Promise<void> {
  const address = polecatAddress(to.rig, to.name);
  if (address === agent)
    throw refused('same_polecat', `${agent} already has ${bead.id}; use --action restart`);
  if (to.rig !== bead.rig && !force)
    throw refused(
      'cross_rig',
      `${bead.id} belongs to rig ${bead.rig}; reassigning it to ${address} of rig ${to.rig} needs --force`,
    );
  const rig = await ctx.services.ledger.getRig(to.rig);
  if (!rig) throw notFound('rig', to.rig);
  if (!polecatNames(rig.max_polecats).includes(to.name))
    throw refused(
      'unknown_polecat',
      `${address} is not a polecat of ${to.rig}; see gt polecats --rig ${to.rig}`,
    );
  // Checked before deciding so a refusal changes nothing; the slot is still taken atomically later.
  if ((await ctx.services.ledger.listSlots(to.rig)).some((s) => s.name === to.name)) throw busy(address);
}

const busy = (address: string) =>
  refused('polecat_busy', `${address} is working on something else; pick a free polecat (gt polecats)`);

async function apply(ctx: CommandContext, r: Resolution, target: Target, write: WriteContext): Promise<void> {
  if (r.type === 'restart') {
    await respawnOnHook(ctx.services.ledger, target.bead, target.agent, write);
    return;
  }
  if (r.type === 'reassign') await reassign(ctx, target, r, write);
  if (r.type === 'release')
    await releaseFromHook(ctx.services.ledger, target.bead, target.agent, write, false);
  await stopOld(ctx, target, describeResolution(r));
}

/** hooked to A → hooked to B in one compare-and-swap, B's slot taken first (and given back on failure). */
async function reassign(
  ctx: CommandContext,
  { bead, agent }: Target,
  to: Extract<Resolution, { type: 'reassign' }>,
  write: WriteContext,
): Promise<void> {
  const ledger = ctx.services.ledger;
  const address = polecatAddress(to.rig, to.name);
  if ((await ledger.takeSlot(to.rig, bead.id, [to.name], write)) === null) throw busy(address);
  const moved = await ledger.claimBead(
    bead.id,
    {
      expect: { status: bead.status, assignee: agent, version: bead.version },
      set: { status: 'hooked', assignee: address, ...clearRespawns(bead) },
    },
    write,
  );
  if (!moved) {
    await ledger.freeSlot(to.rig, to.name, bead.id);
    throw conflict('bead_moved', `${bead.id} changed meanwhile; nothing was reassigned`);
  }
  await freeSlotOf(ctx, agent, bead.id);
}

async function freeSlotOf(ctx: CommandContext, agent: string, beadId: string): Promise<void> {
  const [rig, name] = agent.split('/') as [string, string];
  await ctx.services.ledger.freeSlot(rig, name, beadId);
}

/** The old polecat is told (nudge) and stopped (its runner kills the process). */
async function stopOld(ctx: CommandContext, { bead, agent }: Target, what: string): Promise<void> {
  await ctx.services.live?.stop(agent, bead.id);
  await nudgeAgent(ctx, agent, `stop: ${bead.id} was ${what} by ${ctx.actor.id}`, true);
}
