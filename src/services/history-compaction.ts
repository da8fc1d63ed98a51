import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  type Compacted,
  type RetentionPolicy,
  type RetentionSettings,
  retentionPolicy,
} from '../domain/retention.ts';
import type { Ledger } from '../ledger/port.ts';

/**
 * The relay's published mark, as a restarted relay would resume from it: event-relay.ts saves it
 * in the KV bucket `<prefix>_relay`, key `hwm` (it may trail the running relay's, never lead it,
 * which only keeps more). Null when none was saved yet: then no event is deleted.
 */
export async function relayMark(nc: NatsConnection, prefix: string): Promise<number | null> {
  const entry = await (await new Kvm(nc).open(`${prefix}_relay`)).get('hwm');
  const mark = Number(entry?.string());
  return entry && Number.isInteger(mark) && mark > 0 ? mark : null;
}

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
