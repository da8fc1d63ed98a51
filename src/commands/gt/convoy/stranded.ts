import { isSlingableType, type TrackedState } from '../../../domain/convoy.ts';
import { isReady } from '../../../domain/readiness.ts';
import type { Rig } from '../../../domain/rig.ts';
import { defineCommand } from '../../command.ts';
import { trackedBeads } from './tracked.ts';

export interface StrandedConvoy {
  convoy_id: string;
  title: string;
  tracked_count: number;
  ready_count: number;
  ready_issues: string[];
  reason: 'ready_work_waiting' | 'empty' | 'stuck';
}

/**
 * A bead a feeder could dispatch now: ready (open, unassigned, unblocked), slingable, in an
 * unparked rig. One definition for the stranded scan and for feeding (upstream has two that
 * disagree, convoy.md §5.2 item 7).
 */
export const isDispatchable = (b: TrackedState, rigs: ReadonlyMap<string, Rig>): boolean =>
  isReady(b) && isSlingableType(b.issue_type) && b.rig !== null && rigs.get(b.rig)?.parked === false;

/**
 * Open convoys that are not moving: ready work nobody dispatched, no work at all (an empty
 * convoy stays open — it may be a rolling convoy — but someone should know), or stuck (nothing
 * ready, nothing in flight, not finished). Convoys with work in flight are progressing.
 */
export function strandedReason(
  tracked: readonly TrackedState[],
  ready: readonly TrackedState[],
): StrandedConvoy['reason'] | null {
  if (tracked.length === 0) return 'empty';
  if (ready.length > 0) return 'ready_work_waiting';
  const open = tracked.filter((b) => b.status !== 'closed');
  const inFlight = open.some((b) => b.assignee || b.status === 'hooked' || b.status === 'in_progress');
  return open.length > 0 && !inFlight ? 'stuck' : null;
}

export const gtConvoyStranded = defineCommand<StrandedConvoy[]>({
  path: ['gt', 'convoy', 'stranded'],
  summary: 'Open convoys that are not progressing: ready work waiting, empty, or stuck',
  usage: 'gt convoy stranded',
  syntax: { positionals: [], flags: {} },
  mutates: false,
  async run(_args, ctx) {
    const ledger = ctx.services.ledger;
    const rigs = new Map((await ledger.listRigs()).map((r) => [r.name, r]));
    const stranded: StrandedConvoy[] = [];
    for (const convoy of await ledger.listBeads({ issue_type: 'convoy', status: ['open'] })) {
      const tracked = await trackedBeads(ledger, convoy.id);
      const ready = tracked.filter((b) => isDispatchable(b, rigs));
      const reason = strandedReason(tracked, ready);
      if (!reason) continue;
      stranded.push({
        convoy_id: convoy.id,
        title: convoy.title,
        tracked_count: tracked.length,
        ready_count: ready.length,
        ready_issues: ready.map((b) => b.id),
        reason,
      });
    }
    return { data: stranded };
  },
  text: (rows) =>
    rows.length === 0
      ? 'No stranded convoys found.'
      : [
          `⚠ Found ${rows.length} stranded convoy(s):`,
          ...rows.map((r) =>
            r.reason === 'empty'
              ? `  ${r.convoy_id}: ${r.title} — empty (0 tracked issues)`
              : r.reason === 'stuck'
                ? `  ${r.convoy_id}: ${r.title} — ${r.tracked_count} tracked, none ready or running`
                : `  ${r.convoy_id}: ${r.title} — ready: ${r.ready_issues.join(', ')} (of ${r.tracked_count})`,
          ),
        ].join('\n'),
});
