import type { NatsConnection } from '@nats-io/transport-node';
import { LivenessReporter } from '../agent/liveness.ts';
import { townBucket } from '../bus/kv-buckets.ts';
import { deliverNudge } from '../bus/nudges.ts';
import { controlSubject, type StopOrder } from '../bus/subjects.ts';
import type { LiveDelivery } from '../commands/command.ts';

/**
 * The command layer's live ports bound to NATS: nudges as requests on `gt.nudge.*`, heartbeats
 * kept (latest per agent) in the KV bucket `<prefix>_heartbeats` for the witness, stop orders to
 * the rig runners on `gt.control.<rig>`.
 */
/** KV keys allow `/`; anything else odd in an address becomes `_`. */
export const heartbeatKey = (agent: string): string => agent.replace(/[^-/_=.a-zA-Z0-9]/g, '_');

export async function natsLiveDelivery(
  nc: NatsConnection,
  prefix: string,
  replicas: number,
): Promise<LiveDelivery> {
  const heartbeats = await townBucket(nc, `${prefix}_heartbeats`, replicas);
  const liveness = await LivenessReporter.open(nc, prefix);
  return {
    nudge: (nudge) => deliverNudge(nc, prefix, nudge),
    heartbeat: async (agent, beat) => {
      await heartbeats.put(heartbeatKey(agent), JSON.stringify({ agent, ...beat }));
    },
    observe: async (agent) => {
      const beat = await heartbeats.get(heartbeatKey(agent));
      const heartbeatAt = beat && beat.length > 0 ? beat.json<{ at: string }>().at : null;
      return { process: await liveness.get(agent), heartbeatAt };
    },
    stop: async (agent, bead) => {
      const order: StopOrder = { stop: agent, bead };
      nc.publish(controlSubject(prefix, agent.split('/')[0] as string), JSON.stringify(order));
      await nc.flush();
    },
  };
}
