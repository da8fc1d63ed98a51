import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Mail } from '../../domain/mail.ts';
import type { CardRef, CardStore } from '../card-store.ts';
import type { ChatCommands } from '../chat-commands.ts';
import { type DirectMessages, replyArgs } from '../human-mail.ts';
import type { WorkQueue } from '../work-queue.ts';
import type { SlackDirectory } from './directory.ts';
import { commandAnswer, escapeText } from './format.ts';
import type { Remember } from './request-guard.ts';

/** Mail to a person as a Slack DM (`conversations.open`, then `chat.postMessage`). */
export class SlackDirect implements DirectMessages {
  readonly platform = 'slack' as const;
  private readonly client: WebClient;

  constructor(client: WebClient) {
    this.client = client;
  }

  async send(user: string, mail: Mail): Promise<CardRef> {
    const opened = await this.client.conversations.open({ users: user });
    const channel = opened.channel?.id as string;
    const posted = await this.client.chat.postMessage({ channel, text: mailText(mail) });
    return { channel, message: posted.ts as string };
  }
}

/** A mail as a Slack DM: subject, sender and body escaped (mrkdwn only around them). */
export const mailText = (mail: Mail): string =>
  [
    `📬 *${escapeText(mail.subject)}* — from ${escapeText(mail.from)}`,
    ...(mail.body ? [escapeText(mail.body)] : []),
    '_Reply in this thread to answer._',
  ].join('\n');

interface MessageEvent {
  channel: string;
  user?: string;
  text?: string;
  thread_ts?: string;
  bot_id?: string;
  subtype?: string;
}

/**
 * A reply in the thread of a mail DM goes back as mail (`gt mail send <sender> --reply-to <id>`),
 * as the replying person. Slack retries an event it thinks was not received: each `event_id` is
 * handled once.
 */
export function registerMailReplies(
  app: App,
  deps: {
    commands: ChatCommands;
    directory: SlackDirectory;
    store: CardStore;
    remember: Remember;
    work: WorkQueue;
  },
): void {
  app.event('message', async ({ event, body }) => {
    const e = event as unknown as MessageEvent;
    if (!e.thread_ts || !e.user || e.bot_id || e.subtype) return;
    const eventId = (body as { event_id?: string }).event_id ?? `${e.channel}.${e.thread_ts}.${e.text}`;
    if (!(await deps.remember(`slack-event:${eventId}`, new Date(Date.now() + 3_600_000)))) return;
    const thread = await deps.store.mailThread('slack', e.channel, e.thread_ts);
    if (!thread) return;
    await deps.work.run(async () => {
      const principal = await deps.directory.principal(e.user as string);
      const answer = await deps.commands.run('gt mail send', replyArgs(thread, e.text ?? ''), principal);
      const text = answer.reply?.ok ? `↩️ sent to ${escapeText(thread.from)}` : commandAnswer(answer.text);
      await deps.directory.client.chat.postMessage({
        channel: e.channel,
        thread_ts: e.thread_ts as string,
        text,
      });
    });
  });
}
