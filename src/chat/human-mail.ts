import type { JsMsg } from '@nats-io/jetstream';
import { type Mail, replySubject } from '../domain/mail.ts';
import { type Person, personOf } from '../domain/people.ts';
import type { Platform } from '../domain/policy.ts';
import type { CardRef, CardStore } from './card-store.ts';

/**
 * Sending a person a mail as a direct message (Slack DM, Discord DM). Each platform renders the
 * mail itself, because subject, sender and body are written by others and each platform has its
 * own way to make such text inert.
 */
export interface DirectMessages {
  readonly platform: Platform;
  send(user: string, mail: Mail): Promise<CardRef>;
}

/**
 * Mail to a person (issue 6 item 6): `gt mail send --human alice …`, or mail to any
 * `human:` address, arrives as a direct message on each platform the person has an account on
 * (policy file `people`, or the platform id a chat user signs with). Each delivery is claimed
 * once (replicas, redeliveries) and remembered so a reply under it goes back as mail.
 */
export class HumanMail {
  private readonly people: Readonly<Record<string, Person>>;
  private readonly channels: readonly DirectMessages[];
  private readonly store: CardStore;

  constructor(
    people: Readonly<Record<string, Person>>,
    channels: readonly DirectMessages[],
    store: CardStore,
  ) {
    this.people = people;
    this.channels = channels;
    this.store = store;
  }

  async handle(msg: JsMsg): Promise<void> {
    const mail = msg.json<Mail>();
    const person = personOf(mail.to, this.people);
    for (const dm of this.channels) {
      const user = person[dm.platform];
      if (!user) continue;
      const claim = await this.store.claim(dm.platform, 'mail', mail.id);
      if (!claim) continue;
      try {
        const ref = await dm.send(user, mail);
        await this.store.put(dm.platform, 'mail', mail.id, ref);
        await this.store.putThread(dm.platform, ref, {
          mail_id: mail.id,
          from: mail.from,
          subject: mail.subject,
        });
      } catch (err) {
        await claim.release();
        throw err;
      }
    }
  }
}

/** The `gt mail send` arguments of a reply to mail a person received in chat. */
export const replyArgs = (thread: { mail_id: string; from: string; subject: string }, text: string) => ({
  to: thread.from,
  subject: replySubject(thread.subject),
  message: text,
  'reply-to': thread.mail_id,
});
