import { AckPolicy, DeliverPolicy, type JetStreamManager, type JsMsg, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { contextFromHeaders } from './trace-headers.ts';
import { inSpan } from './tracing.ts';

export interface ConsumeOptions {
  /** How long a delivered message may go unacknowledged before it is redelivered. */
  ackWaitMs?: number;
  /** `new`: a consumer created now starts at the next message (no replay of history). */
  startAt?: 'all' | 'new';
  /** How long a failed message waits before its next try, by deliveries so far (default 1 s). */
  retryDelayMs?: (deliveries: number) => number;
}

const PULL_EXPIRES_MS = 5_000;

/**
 * Growing waits for failures that may last (a chat platform refusing a channel, a user who
 * blocked the bot): 1 s, 2 s, 4 s … up to `maxMs`. The message is never dropped — what it carries
 * is in the ledger — but it stops hammering the platform and the log.
 */
export const backoff =
  (maxMs: number) =>
  (deliveries: number): number =>
    Math.min(maxMs, 1000 * 2 ** Math.min(30, Math.max(0, deliveries - 1)));

/**
 * A message that carries a trace (its `traceparent` header: an event of a traced command, a
 * dispatch) is handled in a span of that trace, named after the consumer; one without is handled
 * as it is — no root trace per event of an untraced write.
 */
function handleTraced(durable: string, msg: JsMsg, handle: (msg: JsMsg) => Promise<void>): Promise<void> {
  const parent = contextFromHeaders(msg.headers);
  if (!parent) return handle(msg);
  const attributes = { 'messaging.destination': msg.subject, 'gt.deliveries': msg.info.deliveryCount };
  return inSpan(durable, { kind: 'consumer', parent, attributes }, () => handle(msg));
}

/**
 * A durable pull consumer shared by every service replica (each message goes to one of them),
 * with explicit acks: a message whose handler throws is redelivered after `ackWaitMs`.
 * Returns a stop function that ends the loop after the message being handled.
 */
export async function consumeDurable(
  nc: NatsConnection,
  jsm: JetStreamManager,
  stream: string,
  durable: string,
  filterSubject: string,
  handle: (msg: JsMsg) => Promise<void>,
  onError: (err: unknown, deliveries: number) => void,
  options: ConsumeOptions = {},
): Promise<() => Promise<void>> {
  const { ackWaitMs = 30_000, startAt = 'all', retryDelayMs = () => 1000 } = options;
  const config = {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: startAt === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
    filter_subject: filterSubject,
    ack_wait: ackWaitMs * 1_000_000,
    max_deliver: -1,
  };
  try {
    await jsm.consumers.info(stream, durable);
  } catch {
    await jsm.consumers.add(stream, config);
  }
  const consumer = await jetstream(nc).consumers.get(stream, durable);
  // A small buffer: a message's ack wait runs from its delivery, so messages waiting long in a
  // large client-side buffer behind slow handlers (a loaded machine) would be redelivered while
  // still queued here — duplicate work that makes the backlog worse.
  // Short pulls with a heartbeat every second: when the consumer's leader moves to another NATS
  // node (the old one died), the open pull dies with it, and the client only re-pulls after two
  // missed heartbeats. The default (30 s pulls, 15 s heartbeats) stalled dispatch for ~30 s per
  // node loss on a cluster (test/faults/nats-cluster.test.ts); this makes it ~2 s after the new
  // leader is elected, for one empty pull per consumer every 5 s.
  const messages = await consumer.consume({
    max_messages: 8,
    expires: PULL_EXPIRES_MS,
    idle_heartbeat: 1_000,
  });
  let closing = false;
  const loop = (async () => {
    for await (const msg of messages) {
      // Buffered when the stop came: handed back at once (to another replica, or to this consumer
      // after a restart), so a stop waits for the one message in hand, not for a buffer of slow ones.
      if (closing) {
        msg.nak();
        continue;
      }
      try {
        msg.working(); // the ack wait restarts now that handling starts
        await handleTraced(durable, msg, handle);
        msg.ack();
      } catch (err) {
        onError(err, msg.info.deliveryCount);
        msg.nak(retryDelayMs(msg.info.deliveryCount));
      }
    }
  })();
  return async () => {
    closing = true;
    await messages.close();
    await loop;
  };
}
