import { randomUUID } from 'node:crypto';
import { notFound } from '../../../domain/errors.ts';
import {
  type Mail,
  type MailPriority,
  parseBody,
  parsePriority,
  parseSubject,
  parseTtl,
} from '../../../domain/mail.ts';
import type { Ledger, WriteContext } from '../../../ledger/port.ts';
import { flag, optString, reqString } from '../../args.ts';
import { defineCommand } from '../../command.ts';
import { resolveRecipients, senderAddress } from './recipients.ts';

export interface Outgoing {
  to: string;
  human?: boolean;
  subject: string;
  body?: string;
  priority?: MailPriority;
  replyTo?: string;
  ttlMs?: number | null;
}

/** Sends one message per recipient (a group fans out); every recipient was checked first. */
export async function sendMail(
  ledger: Ledger,
  from: string,
  out: Outgoing,
  ctx: WriteContext,
): Promise<Mail[]> {
  const recipients = await resolveRecipients(ledger, out.to, out.human ?? false);
  const parent = out.replyTo ? await ledger.getMail(out.replyTo) : null;
  if (out.replyTo && !parent) throw notFound('mail', out.replyTo);
  const now = ctx.now.toISOString();
  const sent: Mail[] = [];
  for (const r of recipients) {
    const id = randomUUID();
    const mail: Mail = {
      id,
      from,
      to: r.address,
      subject: out.subject,
      body: out.body ?? '',
      priority: out.priority ?? 'normal',
      thread_id: parent?.thread_id ?? id,
      reply_to: parent?.id ?? null,
      to_spawn: r.spawn,
      created_at: now,
      expires_at: out.ttlMs ? new Date(ctx.now.getTime() + out.ttlMs).toISOString() : null,
      read_at: null,
      read_by: null,
      acked_at: null,
      acked_by: null,
      archived: false,
    };
    sent.push(await ledger.putMail(mail, ctx));
  }
  return sent;
}

export const gtMailSend = defineCommand<Mail[]>({
  path: ['gt', 'mail', 'send'],
  summary: 'Send mail to an agent, a rig (@rig), the mayor or a person (--human)',
  usage:
    'gt mail send <to> -s SUBJECT [-m BODY] [--priority urgent|high|normal|low] [--reply-to ID] [--human] [--ttl 30m|2h|7d]',
  syntax: {
    positionals: [{ name: 'to', required: true }],
    flags: {
      subject: { type: 'string', short: 's', description: 'subject (required)' },
      message: { type: 'string', short: 'm', description: 'body (at most 64 KiB)' },
      priority: { type: 'string', description: 'urgent, high, normal (default) or low' },
      'reply-to': { type: 'string', description: 'id of the message this answers (same thread)' },
      human: { type: 'boolean', description: '<to> is a person (delivered to chat)' },
      ttl: { type: 'string', description: 'expires after 30m, 2h, 7d…' },
    },
  },
  mutates: true,
  unaudited: ['message'],
  async run(args, ctx) {
    const replyTo = optString(args, 'reply-to');
    const out: Outgoing = {
      to: reqString(args, 'to'),
      human: flag(args, 'human'),
      subject: parseSubject(optString(args, 'subject')),
      body: parseBody(optString(args, 'message')),
      priority: parsePriority(optString(args, 'priority')),
      ttlMs: parseTtl(optString(args, 'ttl')),
      ...(replyTo !== undefined && { replyTo }),
    };
    return { data: await sendMail(ctx.services.ledger, senderAddress(ctx.actor), out, ctx.write()) };
  },
  text: (sent) => sent.map((m) => `sent ${m.id} to ${m.to}`).join('\n'),
});
