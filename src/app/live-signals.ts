import type { NatsConnection } from '@nats-io/transport-node';
import { type Liveness, livenessKey } from '../agent/liveness.ts';
import { townBucket } from '../bus/kv-buckets.ts';
import { KvMirror } from '../bus/kv-mirror.ts';
import { livenessBucket } from '../bus/streams.ts';
import type { Signals } from '../domain/witness.ts';
import { heartbeatKey } from './live-delivery.ts';

export type Observation = Pick<Signals, 'process' | 'heartbeatAt'>;

/**
 * The witness's view of every polecat, kept live: runner process reports (`<prefix>_liveness`,
 * key `<rig>.<name>`) and agent heartbeats (`<prefix>_heartbeats`, key = address) mirrored in
 * memory, so one pass reads thousands of polecats without a round trip each.
 */
export interface LiveSignals {
  observe(agent: string): Observation;
  stop(): void;
}

export async function openLiveSignals(
  nc: NatsConnection,
  prefix: string,
  replicas: number,
): Promise<LiveSignals> {
  const liveness = await KvMirror.open<Liveness>(await townBucket(nc, livenessBucket(prefix), replicas));
  const beats = await KvMirror.open<{ at: string }>(await townBucket(nc, `${prefix}_heartbeats`, replicas));
  return {
    observe: (agent) => ({
      process: liveness.get(livenessKey(agent)),
      heartbeatAt: beats.get(heartbeatKey(agent))?.at ?? null,
    }),
    stop: () => {
      liveness.stop();
      beats.stop();
    },
  };
}
