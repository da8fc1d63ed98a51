import { heldByBudget } from '../commands/gt/convoy/budget-dispatch.ts';
import { trackedBeads } from '../commands/gt/convoy/tracked.ts';
import { isSlingableType, landsNow, type TrackedState } from '../domain/convoy.ts';
import { escalationView } from '../domain/escalation.ts';
import { signalsFor } from '../domain/polecat-signals.ts';
import type { Reply } from '../domain/reply.ts';
import type { Rig } from '../domain/rig.ts';
import { polecatNames } from '../domain/sling.ts';
import { isDispatchable, strandedReason } from '../domain/stranded.ts';
import { isTimerGate } from '../domain/timer-gate.ts';
import { currentProcess, isAbandoned, type Signals } from '../domain/witness.ts';
import type { Ledger, SlotHook } from '../ledger/port.ts';

export type Execute = (verb: string, args: Record<string, unknown>) => Promise<Reply>;

export const STRANDED_LABEL = 'kind:stranded';

export interface ScanDeps {
  ledger: Ledger;
  execute: Execute;
  observe: (agent: string) => Pick<Signals, 'process' | 'heartbeatAt'>;
  /** No report and no heartbeat for this long: the polecat is abandoned (GT_HEARTBEAT_STALE_S). */
  staleMs: number;
  spawnGraceMs: number;
  maxRespawns: number;
}

export interface ScanSummary {
  dispatched: string[];
  released: string[];
  /** Abandoned beads handed to a person instead (uncommitted work, or the respawn limit reached). */
  escalated: string[];
  /** Convoys whose beads were all closed while nobody landed them (the close's event was lost). */
  landed: string[];
  stuck: Array<{ convoy_id: string; reason: string }>;
}

/**
 * The stranded scan (issue 5 item 3; convoy.md §3.4, §3.8), the safety net under event-driven
 * feeding: for every open convoy it recovers beads whose polecat shows no sign of life (released
 * to the queue, or — with uncommitted work left behind or the respawn limit reached — proposed
 * for reassignment in an escalation), slings ready work nobody dispatched (a crash between the
 * steps of a command, a missed event), and reports convoys that cannot move as ONE escalation
 * folded across scans (upstream #4104), which retires itself when nothing is stuck any more.
 * Empty convoys stay open and unreported (rolling convoys). A polecat whose runner still reports
 * is the witness's business (respawn), not the scan's. A convoy whose beads all closed without
 * it landing (the closing event lost) is landed. Every action goes through the command
 * layer as the system actor.
 */
export async function strandedScan(d: ScanDeps, now: Date): Promise<ScanSummary> {
  const rigs = new Map((await d.ledger.listRigs()).map((r) => [r.name, r]));
  const slots = new Map((await d.ledger.listSlotHooks()).map((s) => [s.bead_id, s]));
  const underEscalation = await beadsUnderEscalation(d.ledger);
  const summary: ScanSummary = { dispatched: [], released: [], escalated: [], landed: [], stuck: [] };
  // One narrow read of every open convoy's beads; a convoy is read again only after it changed.
  const open = await d.ledger.listOpenConvoyTracks();
  await landFinished(d, open, summary);
  for (const [convoyId, tracked] of open) {
    let changed = false;
    for (const bead of tracked) {
      const slot = slots.get(bead.id);
      if (!slot || underEscalation.has(bead.id)) continue;
      changed = (await recover(d, slot, rigs, now, summary)) || changed;
    }
    const current: readonly TrackedState[] = changed ? await trackedBeads(d.ledger, convoyId) : tracked;
    const ready = current.filter((b) => isDispatchable(b, rigs));
    // Over its budget (convoy/budget-dispatch.ts): held back, not slung to be refused each pass.
    for (const bead of ready.length && (await heldByBudget(d.ledger, convoyId)) ? [] : ready) {
      const reply = await d.execute('gt sling', { id: bead.id });
      changed = true;
      if (reply.ok && (reply.data as { status?: string }).status === 'hooked')
        summary.dispatched.push(bead.id);
    }
    const after = changed ? await trackedBeads(d.ledger, convoyId) : current;
    if (
      strandedReason(
        after,
        after.filter((b) => isDispatchable(b, rigs)),
      ) === 'stuck' &&
      !(await waitsOnATimer(d.ledger, after))
    )
      summary.stuck.push({ convoy_id: convoyId, reason: whyStuck(after, rigs) });
  }
  await reportStuck(d, summary.stuck);
  return summary;
}

/**
 * Open convoys with nothing left open (absent from `open`) whose beads all closed: their last
 * close's landing was lost. Owned and empty (rolling) convoys stay open (domain landsNow), so a
 * scan writes nothing for them; `gt convoy check` is idempotent if the feeder lands one first.
 */
async function landFinished(
  d: ScanDeps,
  open: ReadonlyMap<string, readonly TrackedState[]>,
  summary: ScanSummary,
): Promise<void> {
  for (const convoy of await d.ledger.listBeads({ issue_type: 'convoy', status: ['open'] })) {
    if (open.has(convoy.id) || !landsNow(convoy, await trackedBeads(d.ledger, convoy.id))) continue;
    const reply = await d.execute('gt convoy check', { convoy: convoy.id });
    if (reply.ok && (reply.data as { closed: string[] }).closed.includes(convoy.id))
      summary.landed.push(convoy.id);
  }
}

async function beadsUnderEscalation(ledger: Ledger): Promise<Set<string>> {
  const open = await ledger.listBeads({ issue_type: 'escalation' });
  return new Set(open.flatMap((e) => escalationView(e).bead_id ?? []));
}

/** An abandoned polecat's bead goes back to the queue, or to a person when that could lose work. */
async function recover(
  d: ScanDeps,
  slot: SlotHook,
  rigs: ReadonlyMap<string, Rig>,
  now: Date,
  summary: ScanSummary,
): Promise<boolean> {
  const agent = `${slot.rig}/${slot.name}`;
  const bead = { id: slot.bead_id };
  const observed = d.observe(agent);
  const signals = signalsFor({
    now,
    address: agent,
    slotTakenAt: slot.taken_at,
    bead: slot.bead,
    ...observed,
  });
  if (!isAbandoned(signals, d.staleMs, d.spawnGraceMs)) return false;
  const leftover = currentProcess(signals)?.uncommitted ?? 0;
  if (leftover === 0 && signals.respawns < d.maxRespawns) {
    const reply = await d.execute('gt polecat release', { agent, reason: 'no sign of life (stranded scan)' });
    if (reply.ok) summary.released.push(bead.id);
    return reply.ok;
  }
  const free = polecatNames(rigs.get(slot.rig)?.max_polecats ?? 0).find((n) => n !== slot.name);
  const worktree = currentProcess(signals)?.worktree;
  const reply = await d.execute('gt escalate', {
    severity: 'high',
    kind: 'dead-agent',
    agent,
    bead: bead.id,
    summary: `${agent} died on ${bead.id}`,
    message: leftover
      ? `no sign of life; ${leftover} uncommitted file(s) left in ${worktree ?? 'its worktree'}`
      : `no sign of life after ${signals.respawns} respawns`,
    propose: [...(free ? [`reassign:${slot.rig}/${free}`] : []), 'reassign:queue', 'restart', 'acknowledge'],
  });
  if (reply.ok) summary.escalated.push(bead.id);
  return false;
}

/** A pending timer gate opens by itself (the timer-gates job): its convoy is waiting, not stuck. */
async function waitsOnATimer(ledger: Ledger, tracked: readonly TrackedState[]): Promise<boolean> {
  const ids = tracked.filter((b) => b.issue_type === 'decision' && b.status !== 'closed').map((b) => b.id);
  if (ids.length === 0) return false;
  return (await ledger.listBeads({ ids, all: true })).some(isTimerGate);
}

function whyStuck(tracked: readonly TrackedState[], rigs: ReadonlyMap<string, Rig>): string {
  const open = tracked.filter((b) => b.status !== 'closed');
  const reasons = open.map((b) => {
    if (b.rig && rigs.get(b.rig)?.parked) return `${b.id} on parked rig ${b.rig}`;
    if (!isSlingableType(b.issue_type)) return `${b.id} is a ${b.issue_type} (gate)`;
    if (b.rig === null) return `${b.id} is town-level`;
    if (b.is_blocked) return `${b.id} is blocked`;
    return `${b.id} is ${b.status}`;
  });
  return reasons.join('; ');
}

async function reportStuck(d: ScanDeps, stuck: ScanSummary['stuck']): Promise<void> {
  const [open] = await d.ledger.listBeads({ issue_type: 'escalation', label: STRANDED_LABEL });
  if (stuck.length === 0) {
    if (open) await d.execute('gt escalation retire', { id: open.id, why: 'every convoy can move again' });
    return;
  }
  const detail = stuck.map((s) => `${s.convoy_id}: ${s.reason}`).join('\n');
  if (open) {
    if (open.description !== detail) await d.execute('bd update', { id: open.id, description: detail });
    return;
  }
  await d.execute('gt escalate', {
    severity: 'medium',
    kind: 'stranded',
    summary: `${stuck.length} stranded convoy(s)`,
    message: detail,
  });
}
