import { isDispatchable, strandedReason } from '../commands/gt/convoy/stranded.ts';
import { trackedBeads } from '../commands/gt/convoy/tracked.ts';
import type { Bead } from '../domain/bead.ts';
import { isSlingableType } from '../domain/convoy.ts';
import { escalationView } from '../domain/escalation.ts';
import { signalsFor } from '../domain/polecat-signals.ts';
import type { Reply } from '../domain/reply.ts';
import type { Rig } from '../domain/rig.ts';
import { polecatNames } from '../domain/sling.ts';
import { currentProcess, isAbandoned, type Signals } from '../domain/witness.ts';
import type { Ledger, Slot } from '../ledger/port.ts';

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
 * is the witness's business (respawn), not the scan's. Every action goes through the command
 * layer as the system actor.
 */
export async function strandedScan(d: ScanDeps, now: Date): Promise<ScanSummary> {
  const rigs = new Map((await d.ledger.listRigs()).map((r) => [r.name, r]));
  const slots = await slotsByBead(d.ledger, [...rigs.keys()]);
  const underEscalation = await beadsUnderEscalation(d.ledger);
  const summary: ScanSummary = { dispatched: [], released: [], escalated: [], stuck: [] };
  for (const convoy of await d.ledger.listBeads({ issue_type: 'convoy', status: ['open'] })) {
    const tracked = await trackedBeads(d.ledger, convoy.id);
    let recovered = false;
    for (const bead of tracked) {
      const slot = slots.get(bead.id);
      if (!slot || underEscalation.has(bead.id)) continue;
      recovered = (await recover(d, bead, slot, rigs, now, summary)) || recovered;
    }
    const current = recovered ? await trackedBeads(d.ledger, convoy.id) : tracked;
    for (const bead of current.filter((b) => isDispatchable(b, rigs))) {
      const reply = await d.execute('gt sling', { id: bead.id });
      if (reply.ok && (reply.data as { status?: string }).status === 'hooked')
        summary.dispatched.push(bead.id);
    }
    const after = await trackedBeads(d.ledger, convoy.id);
    const dispatchable = after.filter((b) => isDispatchable(b, rigs));
    if (strandedReason(after, dispatchable) === 'stuck')
      summary.stuck.push({ convoy_id: convoy.id, reason: whyStuck(after, rigs) });
  }
  await reportStuck(d, summary.stuck);
  return summary;
}

async function slotsByBead(ledger: Ledger, rigs: readonly string[]): Promise<Map<string, Slot>> {
  const byBead = new Map<string, Slot>();
  for (const rig of rigs) for (const slot of await ledger.listSlots(rig)) byBead.set(slot.bead_id, slot);
  return byBead;
}

async function beadsUnderEscalation(ledger: Ledger): Promise<Set<string>> {
  const open = await ledger.listBeads({ issue_type: 'escalation' });
  return new Set(open.flatMap((e) => escalationView(e).bead_id ?? []));
}

/** An abandoned polecat's bead goes back to the queue, or to a person when that could lose work. */
async function recover(
  d: ScanDeps,
  bead: Bead,
  slot: Slot,
  rigs: ReadonlyMap<string, Rig>,
  now: Date,
  summary: ScanSummary,
): Promise<boolean> {
  const agent = `${slot.rig}/${slot.name}`;
  const signals = signalsFor({ now, address: agent, slotTakenAt: slot.taken_at, bead, ...d.observe(agent) });
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

function whyStuck(tracked: readonly Bead[], rigs: ReadonlyMap<string, Rig>): string {
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
