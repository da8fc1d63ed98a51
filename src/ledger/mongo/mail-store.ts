import type { Collection } from 'mongodb';
import { notFound } from '../../domain/errors.ts';
import type { Mail } from '../../domain/mail.ts';
import type { MailMark, WriteContext } from '../port.ts';
import type { Cas } from './cas.ts';
import type { MailDoc } from './documents.ts';
import type { Outbox } from './outbox.ts';
import { pendingEvent } from './pending-event.ts';

export type { MailDoc } from './documents.ts';

const toMail = ({ _id, rev: _rev, outbox: _outbox, ...rest }: MailDoc): Mail => ({ id: _id, ...rest });

/** Mail on MongoDB: the message and its `mail_sent` event in one insert; receipts by compare-and-swap. */
export class MailStore {
  private readonly mail: Collection<MailDoc>;
  private readonly cas: Cas;
  private readonly outbox: Outbox;

  constructor(mail: Collection<MailDoc>, cas: Cas, outbox: Outbox) {
    this.mail = mail;
    this.cas = cas;
    this.outbox = outbox;
  }

  async put(mail: Mail, ctx: WriteContext): Promise<Mail> {
    const data = { mail_id: mail.id, to: mail.to, priority: mail.priority };
    const event = pendingEvent('mail_sent', ctx, { bead_id: null, rig: null }, data);
    const { id, ...fields } = mail;
    const doc: MailDoc = { _id: id, ...fields, rev: 1, outbox: [event] };
    await this.mail.insertOne(doc);
    await this.outbox.flush('mail', id, [event]);
    return toMail(doc);
  }

  async get(id: string): Promise<Mail | null> {
    const doc = await this.mail.findOne({ _id: id });
    return doc ? toMail(doc) : null;
  }

  async list(to: readonly string[], archived: boolean): Promise<Mail[]> {
    const filter = archived ? { to: { $in: [...to] } } : { to: { $in: [...to] }, archived: false };
    return (await this.mail.find(filter).sort({ created_at: 1, _id: 1 }).toArray()).map(toMail);
  }

  async mark(id: string, mark: MailMark, ctx: WriteContext): Promise<Mail> {
    const at = ctx.now.toISOString();
    await this.cas.write(
      this.mail,
      id,
      (doc) => {
        const set: Partial<MailDoc> = {};
        if (mark.read && doc.read_at === null) Object.assign(set, { read_at: at, read_by: ctx.actor });
        if (mark.acked && doc.acked_at === null) Object.assign(set, { acked_at: at, acked_by: ctx.actor });
        if (mark.archived && !doc.archived) set.archived = true;
        return Object.keys(set).length === 0
          ? { skip: undefined }
          : { update: { $set: set }, result: undefined };
      },
      () => notFound('mail', id),
    );
    return (await this.get(id)) as Mail;
  }

  async thread(threadId: string): Promise<Mail[]> {
    return (await this.mail.find({ thread_id: threadId }).sort({ created_at: 1, _id: 1 }).toArray()).map(
      toMail,
    );
  }
}
