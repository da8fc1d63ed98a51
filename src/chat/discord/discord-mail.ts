import type { CardRef, CardStore } from '../card-store.ts';
import type { DirectMessages } from '../human-mail.ts';
import type { DiscordRest } from './discord-rest.ts';

/** Mail to a person as a Discord DM, with a Reply button (HTTP interactions cannot read DMs). */
export class DiscordDirect implements DirectMessages {
  readonly platform = 'discord' as const;
  private readonly rest: DiscordRest;

  constructor(rest: DiscordRest) {
    this.rest = rest;
  }

  async send(user: string, text: string, mailId: string): Promise<CardRef> {
    const channel = await this.rest.openDirect(user);
    const posted = await this.rest.post(channel, {
      content: text
        .replace(/\*([^*]+)\*/g, '**$1**')
        .replace('Reply in this thread to answer.', 'Use Reply to answer.')
        .slice(0, 2000),
      components: [
        { type: 1, components: [{ type: 2, style: 1, label: 'Reply', custom_id: `mail:reply:${mailId}` }] },
      ],
      allowed_mentions: { parse: [] },
    });
    return { channel, message: posted.id };
  }
}

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
