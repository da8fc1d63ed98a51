import { MAYOR } from '../../../domain/agent-address.ts';
import type { Bead } from '../../../domain/bead.ts';
import { isStaged } from '../../../domain/convoy.ts';
import { refused } from '../../../domain/errors.ts';
import {
  convoyChange,
  failedReason,
  madeInRound,
  PLAN_LABEL,
  planCleanupReason,
  roundFailedNote,
  stateChange,
} from '../../../domain/plan.ts';
import type { Ledger, WriteContext } from '../../../ledger/port.ts';
import { trackedBeads } from '../convoy/tracked.ts';
import type { PlanRecord } from './plan-record.ts';

/**
 * The end of one planning round of the Mayor. Done (`gt done`): the one convoy it staged this
 * round (or re-staged) becomes the plan's, and the plan waits for a person. Failed (it gave up,
 * exited without `gt done`, timed out, or a person stopped it): what the round made is closed —
 * nothing half-made stays open — and the plan either returns to review with its earlier convoy
 * (a revision that failed) or ends failed (a first round); the card tells the requester.
 */

/**
 * Closes a bead that may have closed meanwhile (a formula root closes itself once its last step
 * does, possibly on another replica): already closed is what was wanted.
 */
export async function closeUnlessClosed(ledger: Ledger, id: string, reason: string, write: WriteContext) {
  try {
    await ledger.closeBead(id, { reason: reason.slice(0, 500), force: true }, write);
  } catch (err) {
    if ((await ledger.getBead(id))?.status !== 'closed') throw err;
  }
}

const closeAll = async (ledger: Ledger, beads: readonly Bead[], reason: string, write: WriteContext) => {
  // Work first, containers after: an epic closes after what it holds.
  const order = [...beads].sort((a, b) => Number(a.issue_type === 'epic') - Number(b.issue_type === 'epic'));
  for (const b of order) await closeUnlessClosed(ledger, b.id, reason, write);
};

/** Open beads the Mayor made since the round started, but those its plan's convoy keeps. */
async function leftovers(ledger: Ledger, r: PlanRecord, keep: Bead | null): Promise<Bead[]> {
  const since = r.facts.since;
  if (!since) return [];
  const kept = new Set(keep ? [keep.id, ...(await trackedBeads(ledger, keep.id)).map((b) => b.id)] : []);
  return (await ledger.listBeads({})).filter(
    (b) => b.id !== r.plan.id && madeInRound(b, MAYOR, since) && !kept.has(b.id),
  );
}

/** Closes what the current round made, but the convoy kept (and what it tracks). */
export async function closeLeftovers(
  ledger: Ledger,
  r: PlanRecord,
  keep: Bead | null,
  reason: string,
  write: WriteContext,
): Promise<void> {
  await closeAll(ledger, await leftovers(ledger, r, keep), reason, write);
}

/** Ends the current round: closes what it made (the earlier convoy kept), notes why, moves the plan on. */
async function endRound(
  ledger: Ledger,
  r: PlanRecord,
  outcome: { what: string; note: string; next: 'queued' | 'ready' },
  write: WriteContext,
): Promise<Bead> {
  const earlier = r.convoy && isStaged(r.convoy.status) ? r.convoy : null;
  const reason = planCleanupReason(r.plan.id, `round ${r.facts.round} ${outcome.what}`);
  await closeLeftovers(ledger, r, earlier, reason, write);
  await ledger.addComment(r.plan.id, outcome.note, write);
  return ledger.updateBead(
    r.plan.id,
    { status: 'open', assignee: null, ...stateChange(r.plan.labels, outcome.next) },
    write,
  );
}

/** The round failed: a first round ends the plan; a revision returns the earlier plan to review. */
export async function failRound(
  ledger: Ledger,
  r: PlanRecord,
  why: string,
  write: WriteContext,
): Promise<Bead> {
  if (!(r.convoy && isStaged(r.convoy.status))) {
    await closeLeftovers(
      ledger,
      r,
      null,
      planCleanupReason(r.plan.id, `round ${r.facts.round} failed: ${why}`),
      write,
    );
    return ledger.closeBead(r.plan.id, { reason: failedReason(why).slice(0, 500), force: true }, write);
  }
  return endRound(
    ledger,
    r,
    { what: `failed: ${why}`, note: roundFailedNote(r.facts.round, why), next: 'ready' },
    write,
  );
}

/** The round starts over: what it made is closed, and the plan waits for the Mayor again. */
export const requeueRound = (
  ledger: Ledger,
  r: PlanRecord,
  why: string,
  write: WriteContext,
): Promise<Bead> =>
  endRound(
    ledger,
    r,
    {
      what: `interrupted: ${why}`,
      note: `Round ${r.facts.round} interrupted: ${why}; planning again`,
      next: 'queued',
    },
    write,
  );

/** The convoys this round staged: new ones the Mayor made, or the plan's own re-staged. */
async function stagedThisRound(ledger: Ledger, r: PlanRecord): Promise<Bead[]> {
  const since = r.facts.since ?? r.plan.updated_at;
  const made = (
    await ledger.listBeads({ issue_type: 'convoy', status: ['staged_ready', 'staged_warnings'] })
  ).filter((c) => madeInRound(c, MAYOR, since));
  return made.length > 0 ? made : r.convoy && isStaged(r.convoy.status) ? [r.convoy] : [];
}

export async function finishRound(ledger: Ledger, r: PlanRecord, write: WriteContext): Promise<Bead> {
  const staged = await withoutSubsumed(ledger, r, await stagedThisRound(ledger, r), write);
  if (staged.length === 0)
    throw refused(
      'nothing_staged',
      `plan ${r.plan.id}: nothing is staged yet; stage the beads with gt convoy stage <epic|ids…> (or gt formula run), then run gt done again — or give up with gt done --status escalated`,
    );
  if (staged.length > 1) {
    const [keep, ...others] = staged.map((c) => c.id);
    throw refused(
      'several_convoys',
      `plan ${r.plan.id}: you staged ${staged.length} convoys (${staged.map((c) => c.id).join(', ')}); a plan is one convoy: add the others' beads to one (gt convoy add ${keep} <ids>, then gt convoy stage ${keep}) and run gt done again — ${others.join(', ')} are then closed`,
    );
  }
  const convoy = staged[0] as Bead;
  if (r.convoy && r.convoy.id !== convoy.id && r.convoy.status !== 'closed')
    await replaceConvoy(ledger, r, convoy, write);
  // Marks the convoy with the round that made it: its version moves with every round, so a card
  // drawn before a revision carries a version that no longer matches (Launch is refused).
  const mark = `${PLAN_LABEL}-round:${r.facts.round}`;
  await ledger.updateBead(
    convoy.id,
    {
      add_labels: [mark],
      remove_labels: convoy.labels.filter((l) => l.startsWith(`${PLAN_LABEL}-round:`) && l !== mark),
    },
    write,
  );
  const labels = {
    add_labels: [
      ...stateChange(r.plan.labels, 'ready').add_labels,
      ...convoyChange(r.plan.labels, convoy.id).add_labels,
    ],
    remove_labels: [
      ...stateChange(r.plan.labels, 'ready').remove_labels,
      ...convoyChange(r.plan.labels, convoy.id).remove_labels,
    ],
  };
  return ledger.updateBead(r.plan.id, { status: 'open', assignee: null, ...labels }, write);
}

/** Convoys of this round whose beads another one tracks too are folded into it (closed). */
async function withoutSubsumed(
  ledger: Ledger,
  r: PlanRecord,
  staged: Bead[],
  write: WriteContext,
): Promise<Bead[]> {
  if (staged.length < 2) return staged;
  const tracked = new Map<string, Set<string>>();
  for (const c of staged) tracked.set(c.id, new Set((await trackedBeads(ledger, c.id)).map((b) => b.id)));
  const inside = (a: string, b: string) => [...(tracked.get(a) ?? [])].every((id) => tracked.get(b)?.has(id));
  const kept: Bead[] = [];
  for (const c of staged) {
    const host = staged.find(
      (o) => o.id !== c.id && inside(c.id, o.id) && !(inside(o.id, c.id) && o.id > c.id),
    );
    if (!host) kept.push(c);
    else
      await ledger.closeBead(
        c.id,
        { reason: planCleanupReason(r.plan.id, `folded into convoy ${host.id}`), force: true },
        write,
      );
  }
  return kept;
}

/** A revision that staged a new convoy: the old one, and what only it tracked, are closed. */
async function replaceConvoy(ledger: Ledger, r: PlanRecord, next: Bead, write: WriteContext): Promise<void> {
  const old = r.convoy as Bead;
  const keep = new Set((await trackedBeads(ledger, next.id)).map((b) => b.id));
  const reason = planCleanupReason(r.plan.id, `revised: replaced by convoy ${next.id}`);
  const only = (await trackedBeads(ledger, old.id)).filter((b) => !keep.has(b.id) && b.status !== 'closed');
  await closeAll(ledger, [...only, old], reason, write);
}
