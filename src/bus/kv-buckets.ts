import { jetstreamManager } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { keepReplicas } from './replicas.ts';

/**
 * Opens one of the town's KV buckets (`<prefix>_relay`, `_leases`, `_heartbeats`, `_liveness`,
 * `_chat_cards`: latest value per key), creating it with `replicas` copies, or moving an existing
 * one to that count (replicas.ts). `ttlMs` is the bucket's max age (nats-server 2.9: no per-key TTL).
 */
export async function townBucket(
  nc: NatsConnection,
  name: string,
  replicas: number,
  ttlMs?: number,
): Promise<KV> {
  const kv = await new Kvm(nc).create(name, { history: 1, replicas, ...(ttlMs && { ttl: ttlMs }) });
  const { streamInfo } = await kv.status();
  await keepReplicas(
    await jetstreamManager(nc),
    streamInfo.config.name,
    streamInfo.config.num_replicas,
    replicas,
  );
  return kv;
}
