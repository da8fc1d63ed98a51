import { usageError } from './errors.ts';

/**
 * How a rig lands its polecats' work (reference/refinery.md §7.3, fixed on purpose where Gas
 * Town fails open):
 *  - `mr`: through the rig's merge queue — verified by the gates, landed by the refinery;
 *  - `direct`: `gt done` runs the gates in the polecat's worktree and moves the target itself
 *    (same compare-and-swap, same rework path);
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
  merge_style: MergeStyle;
  /**
   * The branch work lands on, fixed when the rig is added (the branch its repository's HEAD named
   * then), so a checkout switched to another branch later does not change it. Null (rigs from
   * before): whatever HEAD names at submission.
   */
  target?: string | null;
}

export const DEFAULT_GATE_TIMEOUT_S = 15 * 60;
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

/** What `gt rig list` shows of it: `mr · gates: npm test (15m) · rebase`, `gates: NONE CONFIGURED`. */
export function describeMergePolicy(p: MergePolicy): string {
  if (p.merge === 'local') return 'local (no merge)';
  const onto = p.target ? ` → ${p.target}` : '';
  const gates =
    p.gates === null
      ? 'gates: NOT CONFIGURED (nothing lands)'
      : p.gates.length === 0
        ? 'gates: none'
        : `gates: ${p.gates.join(' && ')}`;
  return `${p.merge}${onto} · ${gates} (${Math.round(p.gate_timeout_s / 60)}m) · ${p.merge_style}`;
}
