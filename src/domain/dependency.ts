/**
 * Dependency edges. `{issue_id: A, depends_on_id: B, type: 'blocks'}` means A depends on B:
 * B blocks A. This is upstream's direction and the contract's (`bd dep add <issue> <depends-on>`).
 */

export const DEP_TYPES = [
  'blocks',
  'conditional-blocks',
  'waits-for',
  'parent-child',
  'related',
  'discovered-from',
  'tracks',
] as const;
export type DepType = (typeof DEP_TYPES)[number];

/** Edges whose target directly blocks the source while the target is active. */
export const DIRECT_BLOCKING: readonly DepType[] = ['blocks', 'conditional-blocks'];

/** Edges that can make the source not ready (directly, by fan-in, or by inheritance). */
export const AFFECTS_READINESS: readonly DepType[] = [
  'blocks',
  'conditional-blocks',
  'waits-for',
  'parent-child',
];

/**
 * Edges that take part in deadlock detection. Parent-child counts because a child inherits its
 * parent's blocked state: "parent blocks on its own child" is a deadlock too (see cycles.ts).
 */
export const CYCLE_CHECKED: readonly DepType[] = ['blocks', 'conditional-blocks', 'parent-child'];

export type WaitsForGate = 'all-children' | 'any-children';

export interface Dependency {
  issue_id: string;
  depends_on_id: string;
  type: DepType;
  created_at: string;
  created_by: string;
  /** Only for waits-for: when the waiter may proceed. */
  gate?: WaitsForGate;
}

export const isDepType = (value: string): value is DepType =>
  (DEP_TYPES as readonly string[]).includes(value);
