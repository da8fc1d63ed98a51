import { notFound } from '../../../domain/errors.ts';
import { isPartyTo, type Mail, visibleTo } from '../../../domain/mail.ts';
import type { MailMark } from '../../../ledger/port.ts';
import { flag, optString, reqString } from '../../args.ts';
import { type CommandContext, defineCommand } from '../../command.ts';
import { currentSpawn, mailboxOf } from './recipients.ts';

/**
 * Reading mail. Who may read which mailbox and message is the policy's business (a message is
 * for its sender and recipient; others need mail:admin). A polecat sees only mail meant for its
 * current incarnation (or for whoever holds the name).
 */

const line = (m: Mail) =>
  `${m.read_at ? ' ' : '●'} ${m.id.slice(0, 8)}  [${m.priority}] ${m.from}: ${m.subject}${m.acked_at ? '  (acked)' : ''}`;

export const gtMailInbox = defineCommand<Mail[]>({
  path: ['gt', 'mail', 'inbox'],
  summary: 'Mail for an agent (default: you), oldest first',
  usage: 'gt mail inbox [--agent ADDR] [--unread]',
  syntax: {
    positionals: [],
    flags: {
      agent: { type: 'string', description: 'whose mailbox (default: GT_AGENT, or yours)' },
      unread: { type: 'boolean', description: 'only unread mail' },
    },
  },
  mutates: false,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const box = mailboxOf(optString(args, 'agent'), ctx.actor);
    const spawn = await currentSpawn(ledger, box);
    const now = ctx.services.now().toISOString();
    const mail = (await ledger.listMail([box], {})).filter((m) => visibleTo(m, box, spawn, now));
    return { data: flag(args, 'unread') ? mail.filter((m) => m.read_at === null) : mail };
  },
  text: (mail) => (mail.length === 0 ? 'No mail.' : mail.map(line).join('\n')),
});

async function loadMail(ctx: CommandContext, id: string): Promise<Mail> {
  const mail = await ctx.services.ledger.getMail(id);
  if (!mail) throw notFound('mail', id);
  return mail;
}

const receipt = (verb: string, summary: string, mark: MailMark, text: (m: Mail) => string) =>
  defineCommand<Mail>({
    path: ['gt', 'mail', verb],
    summary,
    usage: `gt mail ${verb} <id>`,
    syntax: { positionals: [{ name: 'id', required: true }], flags: {} },
    mutates: true,
    async run(args, ctx) {
      const mail = await loadMail(ctx, reqString(args, 'id'));
      return { data: await ctx.services.ledger.markMail(mail.id, mark, ctx.write()) };
    },
    text,
  });

export const gtMailRead = receipt('read', 'Show a message and mark it read', { read: true }, (m) =>
  [`From: ${m.from}`, `To: ${m.to}`, `Subject: ${m.subject}`, `Priority: ${m.priority}`, '', m.body].join(
    '\n',
  ),
);
export const gtMailAck = receipt(
  'ack',
  'Acknowledge a message (a read receipt with who and when)',
  { read: true, acked: true },
  (m) => `acked ${m.id} (${m.acked_by} at ${m.acked_at})`,
);
export const gtMailArchive = receipt(
  'archive',
  'Archive a message (out of the inbox)',
  { archived: true },
  (m) => `archived ${m.id}`,
);

export const gtMailThread = defineCommand<Mail[]>({
  path: ['gt', 'mail', 'thread'],
  summary: 'A message and every reply, in order',
  usage: 'gt mail thread <id>',
  syntax: { positionals: [{ name: 'id', required: true }], flags: {} },
  mutates: false,
  async run(args, ctx) {
    const mail = await loadMail(ctx, reqString(args, 'id'));
    const thread = await ctx.services.ledger.mailThread(mail.thread_id);
    // A participant sees the messages that were for it, not what others in the thread exchanged.
    if (ctx.may('mail:admin')) return { data: thread };
    return { data: thread.filter((m) => ctx.mailAddresses.some((me) => isPartyTo(m, me))) };
  },
  text: (mail) => mail.map((m) => `${m.created_at}  ${m.from} → ${m.to}: ${m.subject}`).join('\n'),
});
