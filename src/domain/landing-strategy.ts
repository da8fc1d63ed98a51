import { MERGE_STRATEGIES, type MergeStrategy } from './merge-policy.ts';
import type { Rig } from './rig.ts';

/**
 * How one bead's finished work lands: the strategy of a convoy that carries it (`gt convoy
 * create … --merge`) wins over its rig's (`gt rig add … --merge`), so a team can send one batch
 * straight to the target or keep it on branches without changing the rig. Work of a rig without
 * a repository has nothing to merge into: it closes where it is (`local`).
 */
export function landingStrategy(
  rig: Pick<Rig, 'repo' | 'merge_policy'> | null,
  convoyMerge?: string,
): MergeStrategy {
  if (!rig?.repo) return 'local';
  const chosen = MERGE_STRATEGIES.find((s) => s === convoyMerge);
  return chosen ?? rig.merge_policy.merge;
}
