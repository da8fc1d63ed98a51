import { type JetStreamClient, type JsMsg, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { mailSubject } from '../bus/streams.ts';
import type { Ledger, LedgerEvent } from '../ledger/port.ts';

/**
 * Carries stored mail to its recipient's JetStream subject (`gt.mail.<rig>.<name>`), following
 * the `mail_sent` events: the ledger is the system of record, the stream wakes and delivers.
 * The message id is the mail's ledger id, so a replayed event never delivers twice.
 */
export class MailCarrier {
  private readonly js: JetStreamClient;
  private readonly ledger: Ledger;
  private readonly prefix: string;
  private readonly onDelivered: () => void;

  constructor(nc: NatsConnection, ledger: Ledger, prefix: string, onDelivered: () => void = () => {}) {
    this.js = jetstream(nc);
    this.ledger = ledger;
    this.prefix = prefix;
    this.onDelivered = onDelivered;
  }

  async handle(msg: JsMsg): Promise<void> {
    const event = msg.json<LedgerEvent>();
    const mail = await this.ledger.getMail(String(event.data.mail_id));
    if (!mail) return;
    const ack = await this.js.publish(mailSubject(this.prefix, mail.to), JSON.stringify(mail), {
      msgID: `mail-${mail.id}`,
    });
    if (!ack.duplicate) this.onDelivered();
  }
}
