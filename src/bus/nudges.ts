import { type NatsConnection, RequestError } from '@nats-io/transport-node';
import type { Nudge } from '../domain/nudge.ts';
import { nudgeSubject } from './subjects.ts';

export { nudgeSubject } from './subjects.ts';

/**
 * Live nudge delivery over core NATS: a request, so "nobody listening" is known at once
 * (NoResponders) instead of a nudge silently falling on the floor. True when the agent took it.
 */
export async function deliverNudge(
  nc: NatsConnection,
  prefix: string,
  nudge: Nudge,
  timeoutMs = 1000,
): Promise<boolean> {
  try {
    const reply = await nc.request(nudgeSubject(prefix, nudge.to), JSON.stringify(nudge), {
      timeout: timeoutMs,
    });
    return reply.string() === 'ok';
  } catch (err) {
    if (err instanceof RequestError || (err as Error).name === 'TimeoutError') return false;
    throw err;
  }
}

/** The agent side: answer nudges addressed to `address`. */
export function listenForNudges(
  nc: NatsConnection,
  prefix: string,
  address: string,
  onNudge: (n: Nudge) => void,
) {
  return nc.subscribe(nudgeSubject(prefix, address), {
    callback: (err, msg) => {
      if (err) return;
      onNudge(msg.json<Nudge>());
      msg.respond('ok');
    },
  });
}
