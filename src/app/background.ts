import type { JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { consumeDurable } from '../bus/durable-consumer.ts';
import { ensureStreams, eventsStream } from '../bus/streams.ts';
import { eventTypeFilter } from '../bus/subjects.ts';
import type { CommandRegistry } from '../commands/registry.ts';
import type { Ledger } from '../ledger/port.ts';
import { ConvoyFeeder, FEEDER } from '../services/convoy-feeder.ts';
import { Dispatcher } from '../services/dispatcher.ts';
import { EventRelay } from '../services/event-relay.ts';
import { MailCarrier } from '../services/mail-carrier.ts';
import type { Logger } from './logger.ts';
import type { ServiceMetrics } from './metrics.ts';

const EVENT_ACK_WAIT_MS = 5_000;

/**
 * The service's event-driven machinery: the relay (ledger events → JetStream), the dispatcher
 * (claims → rig work queues), the convoy feeder (closes → landings and next dispatches) and the
 * mail carrier (stored mail → the recipient's subject).
 * Returns the relay (so writes can wake it) and its named stop steps, in stopping order.
 */
export async function startBackground(
  nc: NatsConnection,
  ledger: Ledger,
  registry: CommandRegistry,
  prefix: string,
  log: Logger,
  metrics: ServiceMetrics,
  replicas: number,
): Promise<{ relay: EventRelay; stops: [string, () => Promise<void>][] }> {
  const jsm = await ensureStreams(nc, prefix, replicas);
  const relay = await EventRelay.open(nc, ledger, prefix, log, replicas);
  await relay.start();
  const onError = (name: string) => (err: unknown) =>
    log.error({ err }, `${name} failed; the event will be redelivered`);
  const dispatcher = new Dispatcher(nc, prefix);
  const feeder = new ConvoyFeeder(
    ledger,
    (verb, args) => registry.execute({ verb, args, actor: FEEDER, source: 'system' }),
    (ms) => metrics.dispatchLatency.observe(ms / 1000),
  );
  const carrier = new MailCarrier(nc, ledger, prefix, () => metrics.mailDelivered.inc());
  const stream = eventsStream(prefix);
  const follow = (durable: string, type: string, handle: (m: JsMsg) => Promise<void>) =>
    // Handlers take milliseconds: a short ack wait means an event taken by a replica that died is
    // handed to another (or to this one after a restart) within seconds, not half a minute.
    consumeDurable(nc, jsm, stream, durable, eventTypeFilter(prefix, type), handle, onError(durable), {
      ackWaitMs: EVENT_ACK_WAIT_MS,
    });
  const consumers: [string, () => Promise<void>][] = [
    ['stopping the dispatcher', await follow('dispatcher', 'bead_claimed', (m) => dispatcher.handle(m))],
    ['stopping the convoy feeder', await follow('convoy-feeder', 'bead_closed', (m) => feeder.handle(m))],
    ['stopping the mail carrier', await follow('mail-carrier', 'mail_sent', (m) => carrier.handle(m))],
  ];
  // In stopping order: the consumers first, the relay (what feeds them) last.
  return { relay, stops: [...consumers, ['stopping the event relay', () => relay.stop()]] };
}
