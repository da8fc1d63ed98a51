import type { GateProgress } from '../../domain/gate-progress.ts';
import { type Lanes, laneOrder } from '../../domain/merge-batch.ts';
import { type MergeRequest, queueOrder } from '../../domain/merge-request.ts';
import type { MqFreeze } from '../../domain/rig.ts';
import { failureButtons, type QueueButton, rigButton } from './queue-buttons.ts';

/** Landed MRs listed on the card, newest first. */
export const LANDED_SHOWN = 5;
/** Landed MRs whose gate time makes "usually ~…" (their median). */
export const USUAL_OF = 10;
/**
 * The landings the card is made from (`merged`: the rig's most recently merged, read with the
 * ledger's `newest`). More than LANDED_SHOWN and USUAL_OF: the "usually" medians skip landings
 * that ran no gates (an override, a tree verified before) or not the running gate's command, and
 * look this far back for their USUAL_OF.
 */
export const RECENT_MERGED = 50;
const REASON_CHARS = 200;

/** What the card is made from: the rig's open MRs, its recently merged ones, its freeze, the clock. */
export interface QueueCardInput {
  rig: string;
  open: readonly MergeRequest[];
  merged: readonly MergeRequest[];
  frozen: MqFreeze | null;
  /** The gate the refinery said it started last (null: none heard of since this process began). */
  gate?: GateProgress | null;
  /** The queue's order (the same as `gt mq list`): now, GT_MQ_MAX_WAIT, each MR's convoy. */
  lanes: Lanes;
}

/** Text here is as written (branches, reasons, names): each renderer makes it inert. */
export interface QueueLine {
  id: string;
  branch: string;
  bead: string | null;
}
export interface VerifyingLine extends QueueLine {
  /** "1m12s" since it started verifying. */
  elapsed: string;
  /** "45s": the median of recent landings' gate time; null before any landed. */
  usual: string | null;
  /** Landing on a person's override, without gates. */
  override: boolean;
  /** The gate running now for it: "2/3", its command (as written), how long, how long usually. */
  gate: { step: string; command: string; elapsed: string; usual: string | null } | null;
}
export interface QueuedLine extends QueueLine {
  position: number;
  priority: number;
}
export interface FailureLine extends QueueLine {
  status: 'needs-rework' | 'held';
  /** The first line of why. */
  reason: string;
  buttons: QueueButton[];
}
export interface LandedLine extends QueueLine {
  /** The target's commit holding it, short. */
  sha: string;
  at: string | null;
}

/** A rig's living merge-queue card, for any platform (slack/, discord/ render it). */
export interface QueueCardModel {
  rig: string;
  title: string;
  /** "1 verifying · 2 queued · 1 failed". */
  summary: string;
  frozen: MqFreeze | null;
  verifying: VerifyingLine[];
  queue: QueuedLine[];
  failures: FailureLine[];
  landed: LandedLine[];
  /** Freeze or Thaw. */
  buttons: QueueButton[];
}

export function queueCardModel(input: QueueCardInput): QueueCardModel {
  const { rig, open, lanes } = input;
  const now = lanes.now.getTime();
  const usualMs = usualGateMs(input.merged);
  const line = (m: MergeRequest): QueueLine => ({ id: m.id, branch: m.branch, bead: m.bead_id });
  const verifying = open
    .filter((m) => m.status === 'verifying')
    .sort(queueOrder)
    .map((m) => ({
      ...line(m),
      elapsed: duration(now - Date.parse(m.updated_at)),
      usual: usualMs === null ? null : duration(usualMs),
      override: m.override !== null,
      gate: gateLine(input, m.id, now),
    }));
  const queue = laneOrder(
    open.filter((m) => m.status === 'queued'),
    lanes,
  ).map((m, i) => ({ ...line(m), position: i + 1, priority: m.priority }));
  const failures = open
    .filter((m): m is MergeRequest & { status: 'needs-rework' | 'held' } =>
      ['needs-rework', 'held'].includes(m.status),
    )
    .sort((a, b) => b.updated_at.localeCompare(a.updated_at) || a.id.localeCompare(b.id))
    .map((m) => ({ ...line(m), status: m.status, reason: oneLine(m.reason), buttons: failureButtons(m) }));
  const landed = newestMerged(input.merged)
    .slice(0, LANDED_SHOWN)
    .map((m) => ({ ...line(m), sha: (m.merge_commit ?? '').slice(0, 8), at: m.merged_at }));
  const counts = [
    [verifying.length, 'verifying'],
    [queue.length, 'queued'],
    [failures.length, 'failed'],
  ] as const;
  const summary = counts
    .filter(([n]) => n > 0)
    .map(([n, what]) => `${n} ${what}`)
    .join(' · ');
  return {
    rig,
    title: `Merge queue · ${rig}`,
    summary: summary || 'idle',
    frozen: input.frozen,
    verifying,
    queue,
    failures,
    landed,
    buttons: [rigButton(rig, input.frozen !== null)],
  };
}

/** The running gate of this MR's verification, if the last progress heard is about it. */
function gateLine(input: QueueCardInput, mr: string, now: number): VerifyingLine['gate'] {
  const g = input.gate;
  if (!g?.mrs.includes(mr)) return null;
  const usual = usualOfGate(input.merged, g.command);
  return {
    step: `${g.index}/${g.of}`,
    command: g.command,
    elapsed: duration(now - Date.parse(g.started_at)),
    usual: usual === null ? null : duration(usual),
  };
}

/** The median duration of this gate command in the last landings that ran it; null if none. */
function usualOfGate(merged: readonly MergeRequest[], command: string): number | null {
  const times = newestMerged(merged)
    .flatMap((m) => m.gates.filter((g) => g.command === command && g.exit === 0))
    .slice(0, USUAL_OF)
    .map((g) => g.duration_ms);
  return median(times);
}

const median = (values: number[]): number | null => {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

const newestMerged = (merged: readonly MergeRequest[]): MergeRequest[] =>
  merged
    .filter((m) => m.status === 'merged')
    .sort((a, b) => (b.merged_at ?? '').localeCompare(a.merged_at ?? '') || b.id.localeCompare(a.id));

/**
 * How long verification usually takes: the median total gate time of the last landings that ran
 * their gates (a landing on an override, or on a tree verified before, ran none); null if none.
 */
export function usualGateMs(merged: readonly MergeRequest[]): number | null {
  const times = newestMerged(merged)
    .filter((m) => m.override === null && m.gates.length > 0)
    .slice(0, USUAL_OF)
    .map((m) => m.gates.reduce((sum, g) => sum + g.duration_ms, 0));
  return median(times);
}

/** `45s`, `1m12s`, `2h03m`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The first non-empty line of a reason, cut to fit one line of a card. */
export function oneLine(reason: string): string {
  const first = reason.split('\n').find((l) => l.trim() !== '') ?? '';
  const t = first.trim();
  return t.length <= REASON_CHARS ? t : `${t.slice(0, REASON_CHARS - 1)}…`;
}
