import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { callApi } from '../bus/api-client.ts';
import { mailDurable, mailStream, mailSubject } from '../bus/streams.ts';
import type { Actor } from '../domain/actor.ts';
import type { Mail } from '../domain/mail.ts';

/**
 * An agent's live mailbox: a durable JetStream consumer of its own mail subject, so mail sent
 * while it was away arrives when it comes back, and redelivery covers a crash mid-handling.
 * Exactly once to the application: a message is handed over only if the ledger has no ack for
 * it yet, and acknowledged in the ledger (read receipt) before it is acknowledged to JetStream.
 */
export async function openMailbox(
  nc: NatsConnection,
  prefix: string,
  actor: Actor,
  onMail: (mail: Mail) => Promise<void>,
): Promise<{ close(): Promise<void> }> {
  const jsm = await jetstreamManager(nc);
  const durable = mailDurable(actor.id);
  try {
    await jsm.consumers.info(mailStream(prefix), durable);
  } catch {
    await jsm.consumers.add(mailStream(prefix), {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: mailSubject(prefix, actor.id),
      ack_wait: 30_000_000_000,
      max_deliver: -1,
    });
  }
  const consumer = await jetstream(nc).consumers.get(mailStream(prefix), durable);
  const messages = await consumer.consume({ max_messages: 16 });
  const call = async (verb: string, id: string) => {
    const reply = await callApi(nc, prefix, { verb, args: { id }, actor });
    if (!reply.ok) throw new Error(reply.error.message);
    return reply.data as Mail;
  };
  const loop = (async () => {
    for await (const msg of messages) {
      try {
        const current = await call('gt mail read', msg.json<Mail>().id);
        if (current.acked_at === null) {
          await onMail(current);
          await call('gt mail ack', current.id);
        }
        msg.ack();
      } catch {
        msg.nak(1000);
      }
    }
  })();
  return {
    close: async () => {
      await messages.close();
      await loop;
    },
  };
}
