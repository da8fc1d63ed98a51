import { notFound } from '../../../domain/errors.ts';
import { type Lanes, laneOrder } from '../../../domain/merge-batch.ts';
import type { MergeRequest } from '../../../domain/merge-request.ts';
import { queueOrder } from '../../../domain/merge-request.ts';
import { describeFreeze, type MqFreeze } from '../../../domain/rig.ts';
import type { Ledger } from '../../../ledger/port.ts';

/** A merge request as `gt mq list` shows it: where it stands in its rig's queue, how old it is. */
export interface QueueRow {
  id: string;
  rig: string;
  bead: string | null;
  branch: string;
  sha: string;
  /** The branch it lands on: the rig's target, or an epic's integration branch. */
  target: string;
  status: string;
  /** 1 = next to be verified; null unless queued. */
  position: number | null;
  attempts: number;
  age_s: number;
  reason: string;
  /** The freeze of its rig's queue (who, why, when): nothing of the rig lands meanwhile; null if none. */
  frozen: MqFreeze | null;
}

/** A rig's freeze by name (`frozenRigs`); a rig not in it is not frozen. */
export type Freezes = ReadonlyMap<string, MqFreeze>;

/** The frozen ones among the rigs of `names` (every rig when not given). */
export async function frozenRigs(ledger: Ledger, names?: readonly string[]): Promise<Freezes> {
  const rigs = names ? await Promise.all(names.map((n) => ledger.getRig(n))) : await ledger.listRigs();
  return new Map(rigs.flatMap((r) => (r?.mq_frozen ? [[r.name, r.mq_frozen] as const] : [])));
}

/** Each queued MR's place in its rig's queue (1 = next), in the order the queue takes them. */
function positions(mrs: readonly MergeRequest[], lanes: Lanes): Map<string, number> {
  const queued = mrs.filter((m) => m.status === 'queued');
  const places = new Map<string, number>();
  for (const rig of new Set(queued.map((m) => m.rig))) {
    const order = laneOrder(
      queued.filter((m) => m.rig === rig),
      lanes,
    );
    for (const [i, m] of order.entries()) places.set(m.id, i + 1);
  }
  return places;
}

/** Open MRs in the order the queue takes them (verifying, then queued by position, then the rest). */
export function queueRows(mrs: readonly MergeRequest[], lanes: Lanes, freezes: Freezes): QueueRow[] {
  const now = lanes.now;
  const places = positions(mrs, lanes);
  const rank = (m: MergeRequest) => places.get(m.id) ?? null;
  const order = (m: MergeRequest) => (m.status === 'verifying' ? 0 : m.status === 'queued' ? 1 : 2);
  return [...mrs]
    .sort(
      (a, b) =>
        order(a) - order(b) ||
        a.rig.localeCompare(b.rig) ||
        (rank(a) ?? 0) - (rank(b) ?? 0) ||
        queueOrder(a, b),
    )
    .map((m) => ({
      id: m.id,
      rig: m.rig,
      bead: m.bead_id,
      branch: m.branch,
      sha: m.sha,
      target: m.target,
      status: m.status,
      position: rank(m),
      attempts: m.attempts,
      age_s: Math.max(0, Math.round((now.getTime() - Date.parse(m.created_at)) / 1000)),
      reason: m.reason,
      frozen: freezes.get(m.rig) ?? null,
    }));
}

export async function loadMr(ledger: Ledger, id: string): Promise<MergeRequest> {
  const mr = await ledger.getMergeRequest(id.trim());
  if (!mr) throw notFound('merge request', id);
  return mr;
}

export const rowLine = (r: QueueRow): string =>
  `${r.position ? `#${r.position}` : '  '} ${r.id}  ${r.status}  ${r.bead ?? '-'}  ${r.branch}@${r.sha.slice(0, 8)} → ${r.target}  attempts ${r.attempts}  ${r.age_s}s${r.reason ? `  — ${r.reason.split('\n')[0]}` : ''}`;

/** `⏸ alpha frozen by carol 2026-11-22T12:00:00.000Z: release 2.0`: heads every view of a frozen queue. */
export const frozenLine = (rig: string, f: MqFreeze): string => `⏸ ${rig} ${describeFreeze(f)}`;

/** One frozen line per frozen rig among the rows, by rig name. */
export function frozenLines(rows: readonly QueueRow[]): string[] {
  const frozen = new Map<string, MqFreeze>();
  for (const r of rows) if (r.frozen) frozen.set(r.rig, r.frozen);
  return [...frozen].sort(([a], [b]) => a.localeCompare(b)).map(([rig, f]) => frozenLine(rig, f));
}
