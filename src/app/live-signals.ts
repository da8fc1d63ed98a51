import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { type Liveness, livenessKey } from '../agent/liveness.ts';
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

export async function openLiveSignals(nc: NatsConnection, prefix: string): Promise<LiveSignals> {
  const kvm = new Kvm(nc);
  const liveness = await KvMirror.open<Liveness>(await kvm.create(livenessBucket(prefix), { history: 1 }));
  const beats = await KvMirror.open<{ at: string }>(await kvm.create(`${prefix}_heartbeats`, { history: 1 }));
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
