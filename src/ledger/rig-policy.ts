import { DEFAULT_BATCH } from '../domain/merge-batch.ts';
import { batchSize, gateRetries, type MergePolicy, parallelProbes } from '../domain/merge-policy.ts';

/**
 * The fields in one order, so two policies compare by their JSON whatever order they were stored
 * in. `gate_retries` is kept only when above 0: absent (every policy stored before it existed)
 * and 0 mean the same, so `--gate-retries 0` on such a rig changes nothing and writes nothing;
 * `batch` and `parallel` likewise only when not the default.
 */
const normalized = (p: MergePolicy): MergePolicy => ({
  merge: p.merge,
  gates: p.gates === null ? null : [...p.gates],
  gate_timeout_s: p.gate_timeout_s,
  ...(gateRetries(p) > 0 ? { gate_retries: gateRetries(p) } : {}),
  ...(batchSize(p) !== DEFAULT_BATCH ? { batch: batchSize(p) } : {}),
  ...(parallelProbes(p) > 1 ? { parallel: parallelProbes(p) } : {}),
  merge_style: p.merge_style,
  ...(p.target ? { target: p.target } : {}),
});

/**
 * A rig's merge policy with the fields of `change` replaced and the others kept; null when that
 * changes nothing (no write, no event). Both adapters apply it inside their compare-and-swap on
 * the rig, so two people changing different fields at once both keep their change.
 */
export function changedMergePolicy(current: MergePolicy, change: Partial<MergePolicy>): MergePolicy | null {
  const before = normalized(current);
  const after = normalized({
    merge: change.merge ?? before.merge,
    gates: change.gates === undefined ? before.gates : change.gates,
    gate_timeout_s: change.gate_timeout_s ?? before.gate_timeout_s,
    gate_retries: change.gate_retries ?? before.gate_retries ?? 0,
    batch: change.batch ?? batchSize(before),
    parallel: change.parallel ?? parallelProbes(before),
    merge_style: change.merge_style ?? before.merge_style,
    target: change.target === undefined ? (before.target ?? null) : change.target,
  });
  return JSON.stringify(after) === JSON.stringify(before) ? null : after;
}
