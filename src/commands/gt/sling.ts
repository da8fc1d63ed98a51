import type { Bead } from '../../domain/bead.ts';
import { notFound, refused } from '../../domain/errors.ts';
import { parseRigName } from '../../domain/rig.ts';
import { checkSling, isStaleSlot, polecatAddress, polecatNames, QUEUED_LABEL } from '../../domain/sling.ts';
import { dispatchPause } from '../../domain/usage-limit.ts';
import { parseId } from '../../domain/validation.ts';
import type { Ledger, WriteContext } from '../../ledger/port.ts';
import { flag, optString, reqString } from '../args.ts';
import { resolveBeadRef } from '../bead-ref.ts';
import { type CommandContext, defineCommand } from '../command.ts';
import { refuseOverBudget } from './convoy/budget-dispatch.ts';
import { convoysTracking } from './convoy/tracked.ts';

export interface SlingResult {
  id: string;
  rig: string;
  convoy_id: string;
  status: 'hooked' | 'queued' | 'already_hooked';
  polecat: string | null;
  /** Queued for another reason than a full rig: a usage-limit pause (domain/usage-limit.ts). */
  waiting?: string;
}

const SLOT_GRACE_MS = 60_000;

/**
 * Slings one bead: guards, a free polecat slot of its rig (or the rig's queue when full), the
 * atomic claim open+unassigned → hooked, and an auto-convoy unless an open convoy already tracks
 * it. The claim's `bead_claimed` event is what the rig's dispatch follows from.
 */
export async function sling(
  ledger: Ledger,
  rawId: string,
  target: string | undefined,
  force: boolean,
  ctx: WriteContext,
): Promise<SlingResult> {
  const id = parseId(rawId);
  const bead = await ledger.getBead(id);
  if (!bead) throw notFound('bead', id);
  const rig = bead.rig ? await ledger.getRig(bead.rig) : null;
  const verdict = checkSling(bead, rig, target === undefined ? undefined : parseRigName(target), force);
  const rigName = bead.rig as string;
  const convoyId = await ensureConvoy(ledger, bead, ctx);
  if (verdict === 'already_hooked')
    return { id, rig: rigName, convoy_id: convoyId, status: 'already_hooked', polecat: bead.assignee };
  await refuseOverBudget(ledger, id); // convoy/budget-dispatch.ts: no new work for a convoy over its budget
  const names = await reworkerFirst(ledger, id, rigName, polecatNames(rig?.max_polecats ?? 1));
  // A paused rig takes no new work: the bead waits in its queue until `gt rig resume` feeds it.
  const waiting = rig ? dispatchPause(rig, ctx.now) : null;
  let name = waiting ? null : await ledger.takeSlot(rigName, id, names, ctx);
  if (name === null && !waiting && (await reclaimStaleSlots(ledger, rigName, ctx.now)))
    name = await ledger.takeSlot(rigName, id, names, ctx);
  if (name === null) {
    if (!bead.labels.includes(QUEUED_LABEL)) await ledger.updateBead(id, { add_labels: [QUEUED_LABEL] }, ctx);
    return {
      id,
      rig: rigName,
      convoy_id: convoyId,
      status: 'queued',
      polecat: null,
      ...(waiting && { waiting }),
    };
  }
  const polecat = polecatAddress(rigName, name);
  const claimed = await ledger.claimBead(
    id,
    {
      expect: { status: bead.status, assignee: bead.assignee },
      set: { status: 'hooked', assignee: polecat },
    },
    ctx,
  );
  if (!claimed) {
    await ledger.freeSlot(rigName, name, id);
    throw refused(
      'changed_concurrently',
      `${id} changed while it was being slung (someone else took it?); check bd show ${id}`,
    );
  }
  if (claimed.labels.includes(QUEUED_LABEL))
    await ledger.updateBead(id, { remove_labels: [QUEUED_LABEL] }, ctx);
  return { id, rig: rigName, convoy_id: convoyId, status: 'hooked', polecat };
}

/**
 * Work sent back by the merge queue goes to the polecat that did it when that one is free: it
 * knows the work, and its branch holds it. The names in that order, else as they are.
 */
async function reworkerFirst(
  ledger: Ledger,
  beadId: string,
  rig: string,
  names: string[],
): Promise<string[]> {
  const [rework] = await ledger.listMergeRequests({ bead: beadId, status: ['needs-rework'] });
  const previous = rework?.polecat?.startsWith(`${rig}/`) ? rework.polecat.slice(rig.length + 1) : null;
  return previous && names.includes(previous) ? [previous, ...names.filter((n) => n !== previous)] : names;
}

/** Frees slots whose bead no longer holds them; true when any was freed. */
async function reclaimStaleSlots(ledger: Ledger, rig: string, now: Date): Promise<boolean> {
  let freed = false;
  for (const slot of await ledger.listSlots(rig)) {
    if (isStaleSlot(slot, await ledger.getBead(slot.bead_id), now, SLOT_GRACE_MS)) {
      freed = (await ledger.freeSlot(rig, slot.name, slot.bead_id)) || freed;
    }
  }
  return freed;
}

/** The open convoy already tracking the bead, or a new `Work: <title>` convoy tracking it. */
async function ensureConvoy(ledger: Ledger, bead: Bead, ctx: WriteContext): Promise<string> {
  const [existing] = await convoysTracking(ledger, bead.id);
  if (existing) return existing.id;
  const convoy = await ledger.createBead(
    {
      title: `Work: ${bead.title}`.slice(0, 500),
      description: `Auto-created convoy tracking ${bead.id}`,
      issue_type: 'convoy',
    },
    ctx,
  );
  await ledger.addDependency(convoy.id, bead.id, 'tracks', ctx);
  return convoy.id;
}

export const gtSling = defineCommand<SlingResult>({
  path: ['gt', 'sling'],
  summary: 'Hand a bead to a polecat of its rig (queued when the rig is full)',
  usage: 'gt sling <id> [<rig>] [--force]',
  syntax: {
    positionals: [{ name: 'id', required: true }, { name: 'rig' }],
    flags: { force: { type: 'boolean', short: 'f', description: 'sling even if blocked or hand-assigned' } },
  },
  mutates: true,
  run: async (args, ctx: CommandContext) => ({
    data: await sling(
      ctx.services.ledger,
      // Only what a person types may be an alias; the services sling ids they already hold.
      await resolveBeadRef(ctx.services.ledger, reqString(args, 'id')),
      optString(args, 'rig'),
      flag(args, 'force'),
      ctx.write(),
    ),
  }),
  text: (r) =>
    r.status === 'queued'
      ? `${r.id} queued: ${r.waiting ?? `rig ${r.rig} is at capacity`} (convoy ${r.convoy_id})`
      : r.status === 'already_hooked'
        ? `${r.id} is already hooked to ${r.polecat} (no change)`
        : `${r.id} → ${r.polecat} (convoy ${r.convoy_id})`,
});
