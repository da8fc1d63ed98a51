import type { Mail } from '../../domain/mail.ts';
import type { CardRef, CardStore } from '../card-store.ts';
import type { DirectMessages } from '../human-mail.ts';
import type { DiscordRest } from './discord-rest.ts';
import { inertText } from './inert.ts';

/** Mail to a person as a Discord DM, with a Reply button (HTTP interactions cannot read DMs). */
export class DiscordDirect implements DirectMessages {
  readonly platform = 'discord' as const;
  private readonly rest: DiscordRest;

  constructor(rest: DiscordRest) {
    this.rest = rest;
  }

  async send(user: string, mail: Mail): Promise<CardRef> {
    const channel = await this.rest.openDirect(user);
    const posted = await this.rest.post(channel, {
      content: mailContent(mail),
      components: [
        { type: 1, components: [{ type: 2, style: 1, label: 'Reply', custom_id: `mail:reply:${mail.id}` }] },
      ],
      allowed_mentions: { parse: [] },
    });
    return { channel, message: posted.id };
  }
}

/** A mail as a Discord DM: subject, sender and body inert (markdown only around them). */
export const mailContent = (mail: Mail): string =>
  [
    `📬 **${inertText(mail.subject)}** — from ${inertText(mail.from)}`,
    ...(mail.body ? [inertText(mail.body)] : []),
    '_Use Reply to answer._',
  ]
    .join('\n')
    .slice(0, 2000);

/** The mail a Reply button answers (its DM was remembered when sent). */
export async function threadOfMail(store: CardStore, mailId: string) {
  const ref = await store.get('discord', 'mail', mailId);
  return ref ? store.mailThread('discord', ref.channel, ref.message) : null;
}

export function replyModal(mailId: string) {
  return {
    custom_id: `mail:reply:${mailId}`,
    title: 'Reply',
    components: [
      {
        type: 1,
        components: [
          { type: 4, custom_id: 'text', style: 2, label: 'Your answer', required: true, max_length: 4000 },
        ],
      },
    ],
  };
}
