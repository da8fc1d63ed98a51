import { usageError } from './errors.ts';
import { DEFAULT_BATCH, MAX_BATCH } from './merge-batch.ts';

/**
 * How a rig lands its polecats' work (reference/refinery.md §7.3, fixed on purpose where Gas
 * Town fails open):
 *  - `mr`: through the rig's merge queue — verified by the gates, landed by the refinery;
 *  - `direct`: `gt done` verifies and lands the work itself, in its request (the queue's attempt:
 *    scratch worktree, gates, compare-and-swap), and hands a failure back to the polecat at once;
 *  - `local`: the branch stays where it is and the bead closes at `gt done` (no merge).
 * Gates are explicit policy: `null` means none were configured, and the refinery then lands
 * nothing (fail closed); `[]` means the rig said `--gate none`.
 */
export const MERGE_STRATEGIES = ['mr', 'direct', 'local'] as const;
export type MergeStrategy = (typeof MERGE_STRATEGIES)[number];

export const MERGE_STYLES = ['rebase', 'merge', 'squash'] as const;
export type MergeStyle = (typeof MERGE_STYLES)[number];

export interface MergePolicy {
  merge: MergeStrategy;
  /** Gate commands, run in order; `[]`: explicitly none; null: not configured (nothing lands). */
  gates: string[] | null;
  gate_timeout_s: number;
  /**
   * Flaky-gate retries: how many more times a gate that exited non-zero is run before it fails
   * (0 to MAX_GATE_RETRIES); one passing run passes it, and its result records how many runs it
   * took (`GateResult.runs`), so the flake is seen rather than hidden. Only a real non-zero exit
   * is retried: a timeout (rerunning a hang costs another whole timeout and would hold the queue
   * for up to retries+1 of them), exit 127 or 126 (the command is missing or not executable: no
   * rerun finds it), a gate that could not start and one killed by a signal fail at once, as
   * before. Absent (the default, and every policy stored before it existed) means 0: a failing
   * gate fails at once. Read it with gateRetries().
   */
  gate_retries?: number;
  /**
   * How many queued MRs are stacked and verified together (services/refinery/batch.ts): 1 = one
   * at a time. Absent (every policy stored before batches) means DEFAULT_BATCH. Read it with
   * batchSize().
   */
  batch?: number;
  /**
   * Parallel speculation: how many of a failing batch's prefixes are verified at the same time
   * (each in a worktree of its own) — fewer rounds to the culprit, more gate runs. Pays only
   * when gates leave cores idle; absent means 1. Read it with parallelProbes().
   */
  parallel?: number;
  merge_style: MergeStyle;
  /**
   * The branch work lands on, fixed when the rig is added (the branch its repository's HEAD named
   * then), so a checkout switched to another branch later does not change it. Null (rigs from
   * before): whatever HEAD names at submission.
   */
  target?: string | null;
}

export const DEFAULT_GATE_TIMEOUT_S = 15 * 60;
export const MAX_PARALLEL = 4;
/** At most this many reruns of a failing gate: beyond, a flaky gate wants fixing, not more runs. */
export const MAX_GATE_RETRIES = 5;
export const NO_GATES = 'none';

/** The default: through the queue when the rig has a repository, else nothing to merge. */
export const defaultMergePolicy = (hasRepo: boolean): MergePolicy => ({
  merge: hasRepo ? 'mr' : 'local',
  gates: null,
  gate_timeout_s: DEFAULT_GATE_TIMEOUT_S,
  merge_style: 'rebase',
});

const oneOf = <T extends string>(values: readonly T[], flag: string, raw: string): T => {
  const v = raw.trim().toLowerCase();
  if ((values as readonly string[]).includes(v)) return v as T;
  throw usageError(
    `invalid_${flag.replace(/-/g, '_')}`,
    `--${flag} ${JSON.stringify(raw)}: use ${values.join(', ')}`,
  );
};

export const parseMergeStrategy = (raw: string): MergeStrategy => oneOf(MERGE_STRATEGIES, 'merge', raw);
export const parseMergeStyle = (raw: string): MergeStyle => oneOf(MERGE_STYLES, 'merge-style', raw);

/** `--gate CMD`… or `--gate none` (alone). */
export function parseGates(raw: readonly string[]): string[] | null {
  if (raw.length === 0) return null;
  const commands = raw.map((g) => g.trim());
  if (commands.includes(NO_GATES)) {
    if (commands.length > 1)
      throw usageError(
        'gates_and_none',
        '--gate none means no gates at all; give it alone or give gate commands',
      );
    return [];
  }
  if (commands.some((c) => c === '' || c.length > 2_000))
    throw usageError(
      'invalid_gate',
      'a --gate is a shell command of 1 to 2000 characters, e.g. --gate "npm test"',
    );
  return commands;
}

/** `90s`, `15m`, `2h`, or plain seconds → seconds (1 s to 24 h). */
export function parseGateTimeout(raw: string): number {
  const m = /^(\d{1,6})(s|m|h)?$/.exec(raw.trim());
  const seconds = m ? Number(m[1]) * { s: 1, m: 60, h: 3_600 }[(m[2] ?? 's') as 's' | 'm' | 'h'] : Number.NaN;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86_400)
    throw usageError(
      'invalid_gate_timeout',
      `--gate-timeout ${JSON.stringify(raw)}: use 90s, 15m or 2h (at most 24h)`,
    );
  return seconds;
}

/** A flag's whole number within [min, max] (digits only: no signs, decimals or exponents), else NaN. */
const wholeIn = (raw: string, min: number, max: number): number => {
  const v = raw.trim();
  const n = /^\d{1,2}$/.test(v) ? Number(v) : Number.NaN;
  return n >= min && n <= max ? n : Number.NaN;
};

/** A stored count: itself when a whole number within [min, max], else `fallback` (a hand-edited row). */
const storedIn = (n: number | undefined, min: number, max: number, fallback: number): number =>
  typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max ? n : fallback;

/** `--gate-retries N`: reruns of a failing gate, a whole number from 0 to MAX_GATE_RETRIES. */
export function parseGateRetries(raw: string): number {
  const n = wholeIn(raw, 0, MAX_GATE_RETRIES);
  if (Number.isNaN(n))
    throw usageError(
      'invalid_gate_retries',
      `--gate-retries ${JSON.stringify(raw)}: give how many times to rerun a failing gate, a whole number from 0 (the default: it fails at once) to ${MAX_GATE_RETRIES}, e.g. --gate-retries 2`,
    );
  return n;
}

/**
 * A policy's flaky-gate retries: 0 when absent (policies stored before the field existed) or not
 * a whole number in range (a hand-edited row), so a bad value never means more runs.
 */
export const gateRetries = (p: { gate_retries?: number | undefined }): number =>
  storedIn(p.gate_retries, 0, MAX_GATE_RETRIES, 0);

/** `--batch N`: MRs verified together, a whole number from 1 (one at a time) to MAX_BATCH. */
export function parseBatch(raw: string): number {
  const n = wholeIn(raw, 1, MAX_BATCH);
  if (Number.isNaN(n))
    throw usageError(
      'invalid_batch',
      `--batch ${JSON.stringify(raw)}: give how many merge requests to verify together, 1 (one at a time) to ${MAX_BATCH}, e.g. --batch 4`,
    );
  return n;
}

/** `--parallel K`: prefixes verified at once, 1 (one at a time) to MAX_PARALLEL. */
export function parseParallel(raw: string): number {
  const n = wholeIn(raw, 1, MAX_PARALLEL);
  if (Number.isNaN(n))
    throw usageError(
      'invalid_parallel',
      `--parallel ${JSON.stringify(raw)}: give how many verifications may run at once, 1 (the default) to ${MAX_PARALLEL}, e.g. --parallel 2`,
    );
  return n;
}

export const parallelProbes = (p: { parallel?: number | undefined }): number =>
  storedIn(p.parallel, 1, MAX_PARALLEL, 1);

/** A policy's batch size: DEFAULT_BATCH when absent or out of range (a hand-edited row). */
export const batchSize = (p: { batch?: number | undefined }): number =>
  storedIn(p.batch, 1, MAX_BATCH, DEFAULT_BATCH);

/**
 * What `gt rig list` shows of it: `mr · gates: npm test (15m) · rebase`, with retries
 * `gates: npm test (15m, 2 retries) · rebase`; `gates: NOT CONFIGURED (nothing lands)`.
 */
export function describeMergePolicy(p: MergePolicy): string {
  if (p.merge === 'local') return 'local (no merge)';
  const onto = p.target ? ` → ${p.target}` : '';
  const gates =
    p.gates === null
      ? 'gates: NOT CONFIGURED (nothing lands)'
      : p.gates.length === 0
        ? 'gates: none'
        : `gates: ${p.gates.join(' && ')}`;
  const retries = gateRetries(p);
  const limits = `${Math.round(p.gate_timeout_s / 60)}m${retries > 0 ? `, ${retries} ${retries === 1 ? 'retry' : 'retries'}` : ''}`;
  const parallel = parallelProbes(p) > 1 ? ` (${parallelProbes(p)} at once)` : '';
  return `${p.merge}${onto} · ${gates} (${limits}) · ${p.merge_style} · batch ${batchSize(p)}${parallel}`;
}
