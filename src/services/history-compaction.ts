import {
  type Compacted,
  type RetentionPolicy,
  type RetentionSettings,
  retentionPolicy,
} from '../domain/retention.ts';
import type { Ledger } from '../ledger/port.ts';

export interface CompactionRun {
  removed: Compacted;
  policy: RetentionPolicy;
  seconds: number;
}

/**
 * One run of the retention job (the leader's cron, daily by default): the policy at `now` from the
 * settings and the marks of the event log's consumers, applied in batches by the ledger.
 */
export async function compactHistory(
  ledger: Ledger,
  settings: RetentionSettings,
  marks: readonly number[],
  now: Date,
): Promise<CompactionRun> {
  const policy = retentionPolicy(settings, marks, now);
  const started = performance.now();
  const removed = await ledger.compactHistory(policy);
  return { removed, policy, seconds: Math.round(performance.now() - started) / 1000 };
}
