import type { Bead } from './bead.ts';

/**
 * A timer gate is a `decision` bead a formula run cooked (domain/formula/cook-plan.ts) after a
 * step with `gate = { type = "timer", timeout = "…" }`: what needs the step waits on it, and the
 * service closes it by itself (services/timer-gates.ts) — nobody approves it. Its labels say so:
 * `gate:timer`, and `gate-timeout:<ms>` for its duration (a label, not prose, so an edited
 * description cannot change when it opens).
 *
 * As in Gas Town (formulas reference §4.1), the clock starts when the gate bead is created — when
 * the run is poured — not when the step before it finishes. Unlike upstream, the gate sits after
 * its step (like a human gate's approval), so it also waits for that step: it opens at
 * `created + timeout` or when the step is done, whichever is later.
 */
export const TIMER_GATE_LABEL = 'gate:timer';
const TIMEOUT_PREFIX = 'gate-timeout:';

/** The labels of a timer gate of that duration (whole milliseconds, rounded up: never early). */
export const timerGateLabels = (timeoutMs: number): string[] => [
  TIMER_GATE_LABEL,
  `${TIMEOUT_PREFIX}${Math.max(1, Math.ceil(timeoutMs))}`,
];

export const isTimerGate = (b: Pick<Bead, 'issue_type' | 'labels'>): boolean =>
  b.issue_type === 'decision' && b.labels.includes(TIMER_GATE_LABEL);

/** Its duration in ms; null when the label is missing or edited into something unreadable. */
export function timerTimeoutMs(b: Pick<Bead, 'labels'>): number | null {
  const label = b.labels.find((l) => l.startsWith(TIMEOUT_PREFIX));
  const ms = label ? Number(label.slice(TIMEOUT_PREFIX.length)) : Number.NaN;
  return Number.isSafeInteger(ms) && ms > 0 ? ms : null;
}

type TimerFields = Pick<Bead, 'issue_type' | 'labels' | 'created_at'>;

/** When the clock runs out: creation time + timeout; null for a bead that is no timer gate. */
export function timerOpensAt(b: TimerFields): Date | null {
  const ms = isTimerGate(b) ? timerTimeoutMs(b) : null;
  const created = Date.parse(b.created_at);
  return ms === null || Number.isNaN(created) ? null : new Date(created + ms);
}

/**
 * The timer gates to close now: open (not closed, not pinned by a person), no longer waiting on
 * their step, and whose clock has run out. A blocked gate whose time has come opens once its
 * step is done (the next pass after that).
 */
export function dueTimerGates<B extends TimerFields & Pick<Bead, 'status' | 'is_blocked'>>(
  beads: readonly B[],
  now: Date,
): B[] {
  return beads.filter((b) => {
    if (b.status === 'closed' || b.status === 'pinned' || b.is_blocked) return false;
    const opensAt = timerOpensAt(b);
    return opensAt !== null && now.getTime() >= opensAt.getTime();
  });
}

/** The close reason: `Timer elapsed (1h since 2026-05-01T10:00:00.000Z)`. */
export function timerElapsedReason(b: TimerFields): string {
  const ms = timerTimeoutMs(b);
  return `Timer elapsed (${ms === null ? '?' : formatDuration(ms)} since ${b.created_at})`;
}

const UNITS: Array<[string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/** Go-style, as formulas write them: 5_400_000 → `1h30m`, 1500 → `1s500ms`. */
export function formatDuration(ms: number): string {
  let rest = Math.round(ms);
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join('') || '0s';
}
