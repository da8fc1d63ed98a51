import { isDispatchable, strandedReason } from '../commands/gt/convoy/stranded.ts';
import { trackedBeads } from '../commands/gt/convoy/tracked.ts';
import type { Bead } from '../domain/bead.ts';
import { isSlingableType } from '../domain/convoy.ts';
import type { Reply } from '../domain/reply.ts';
import type { Rig } from '../domain/rig.ts';
import type { Ledger } from '../ledger/port.ts';

export type Execute = (verb: string, args: Record<string, unknown>) => Promise<Reply>;
/** What the rig runner last reported about a polecat's process, if anything. */
export type LivenessOf = (
  agent: string,
) => Promise<{ bead: string; alive: boolean; reported_at: string } | null>;

export const STRANDED_LABEL = 'kind:stranded';
const DEAD_GRACE_MS = 30_000;

export interface ScanSummary {
  dispatched: string[];
  released: string[];
  stuck: Array<{ convoy_id: string; reason: string }>;
}

/**
 * The stranded scan (issue 5 item 3; convoy.md §3.4, §3.8), the safety net under event-driven
 * feeding: for every open convoy it slings ready work nobody dispatched (a crash between the
 * steps of a command, a missed event), releases beads whose polecat process is known dead, and
 * reports convoys that cannot move — as ONE escalation folded across scans (upstream #4104),
 * which retires itself when nothing is stuck any more. Empty convoys stay open and unreported
 * here (rolling convoys). Every action goes through the command layer as the system actor.
 */
export async function strandedScan(
  ledger: Ledger,
  execute: Execute,
  livenessOf: LivenessOf,
  now: Date,
): Promise<ScanSummary> {
  const rigs = new Map((await ledger.listRigs()).map((r) => [r.name, r]));
  const summary: ScanSummary = { dispatched: [], released: [], stuck: [] };
  for (const convoy of await ledger.listBeads({ issue_type: 'convoy', status: ['open'] })) {
    const tracked = await trackedBeads(ledger, convoy.id);
    for (const bead of tracked) {
      if (await isDead(bead, livenessOf, now)) {
        const reply = await execute('bd update', { id: bead.id, status: 'open', assignee: '' });
        if (reply.ok) summary.released.push(bead.id);
      }
    }
    const current = summary.released.length > 0 ? await trackedBeads(ledger, convoy.id) : tracked;
    for (const bead of current.filter((b) => isDispatchable(b, rigs))) {
      const reply = await execute('gt sling', { id: bead.id });
      if (reply.ok && (reply.data as { status?: string }).status === 'hooked')
        summary.dispatched.push(bead.id);
    }
    const after = await trackedBeads(ledger, convoy.id);
    if (
      strandedReason(
        after,
        after.filter((b) => isDispatchable(b, rigs)),
      ) === 'stuck'
    ) {
      summary.stuck.push({ convoy_id: convoy.id, reason: whyStuck(after, rigs) });
    }
  }
  await reportStuck(ledger, execute, summary.stuck);
  return summary;
}

/** Hooked to a polecat whose runner reported this very bead's process gone (not a stale report). */
async function isDead(bead: Bead, livenessOf: LivenessOf, now: Date): Promise<boolean> {
  if (bead.status !== 'hooked' && bead.status !== 'in_progress') return false;
  if (!bead.assignee || !bead.rig || !bead.assignee.startsWith(`${bead.rig}/`)) return false;
  const l = await livenessOf(bead.assignee);
  return (
    l !== null && l.bead === bead.id && !l.alive && now.getTime() - Date.parse(l.reported_at) >= DEAD_GRACE_MS
  );
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

async function reportStuck(ledger: Ledger, execute: Execute, stuck: ScanSummary['stuck']): Promise<void> {
  const [open] = await ledger.listBeads({ issue_type: 'escalation', label: STRANDED_LABEL });
  if (stuck.length === 0) {
    if (open) await execute('gt escalation resolve', { id: open.id, action: 'every convoy can move again' });
    return;
  }
  const detail = stuck.map((s) => `${s.convoy_id}: ${s.reason}`).join('\n');
  if (open) {
    if (open.description !== detail) await execute('bd update', { id: open.id, description: detail });
    return;
  }
  const reply = await execute('gt escalate', {
    severity: 'medium',
    summary: `${stuck.length} stranded convoy(s)`,
    message: detail,
  });
  if (reply.ok) await execute('bd label add', { id: (reply.data as Bead).id, label: STRANDED_LABEL });
}
