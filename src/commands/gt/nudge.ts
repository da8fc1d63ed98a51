import { randomUUID } from 'node:crypto';
import { parseAgentAddress } from '../../domain/agent-address.ts';
import { usageError } from '../../domain/errors.ts';
import { MAX_NUDGE_MESSAGE, MAX_PENDING_NUDGES, type Nudge, nudgeExpiry } from '../../domain/nudge.ts';
import { flag, optString, reqString } from '../args.ts';
import { type CommandContext, defineCommand } from '../command.ts';
import { resolveRecipients, senderAddress } from './mail/recipients.ts';

export interface NudgeResult {
  delivered: string[];
  queued: string[];
  /** Ids of older pending nudges dropped to keep each queue bounded. */
  dropped: string[];
}

/** Delivers one nudge live, or queues it in the ledger when the agent is offline. */
export async function nudgeAgent(
  ctx: CommandContext,
  to: string,
  message: string,
  urgent: boolean,
): Promise<{ delivered: boolean; dropped: string[] }> {
  const now = ctx.services.now();
  const nudge: Nudge = {
    id: randomUUID(),
    to,
    from: senderAddress(ctx.actor),
    message,
    urgent,
    created_at: now.toISOString(),
    expires_at: nudgeExpiry(now, urgent),
  };
  if (await ctx.services.live?.nudge(nudge)) return { delivered: true, dropped: [] };
  const dropped = await ctx.services.ledger.queueNudge(nudge, MAX_PENDING_NUDGES);
  if (dropped.length > 0)
    ctx.services.log?.warn(
      { to, dropped },
      `nudge queue of ${to} full: dropped the oldest ${dropped.length}`,
    );
  return { delivered: false, dropped };
}

/**
 * `gt nudge`: wake an agent now. Delivered live when it listens; otherwise queued in the ledger
 * (30 min, 2 h with --urgent, at most 50 per agent) and handed over at its next `gt heartbeat`.
 */
export const gtNudge = defineCommand<NudgeResult>({
  path: ['gt', 'nudge'],
  summary: 'Wake an agent now (queued briefly when it is offline)',
  usage: 'gt nudge <to> <message> [--urgent]',
  syntax: {
    positionals: [
      { name: 'to', required: true },
      { name: 'message', required: true },
    ],
    flags: { urgent: { type: 'boolean', description: 'keep it 2 h instead of 30 min when queued' } },
  },
  mutates: true,
  unaudited: ['message'],
  async run(args, ctx) {
    const message = reqString(args, 'message').trim();
    if (message === '' || message.length > MAX_NUDGE_MESSAGE) {
      throw usageError('invalid_nudge', `the nudge message must be 1 to ${MAX_NUDGE_MESSAGE} characters`);
    }
    const recipients = await resolveRecipients(ctx.services.ledger, reqString(args, 'to'), false);
    const urgent = flag(args, 'urgent');
    const result: NudgeResult = { delivered: [], queued: [], dropped: [] };
    for (const r of recipients) {
      const outcome = await nudgeAgent(ctx, r.address, message, urgent);
      result[outcome.delivered ? 'delivered' : 'queued'].push(r.address);
      result.dropped.push(...outcome.dropped);
    }
    return { data: result };
  },
  text: (r) =>
    [
      r.delivered.length ? `nudged: ${r.delivered.join(', ')}` : '',
      r.queued.length ? `queued (offline): ${r.queued.join(', ')}` : '',
      r.dropped.length ? `dropped ${r.dropped.length} older pending nudge(s)` : '',
    ]
      .filter(Boolean)
      .join('\n'),
});

export interface HeartbeatResult {
  agent: string;
  at: string;
  nudges: Nudge[];
}

export const gtHeartbeat = defineCommand<HeartbeatResult>({
  path: ['gt', 'heartbeat'],
  summary: 'Report that an agent is alive (and what it is doing); returns nudges queued for it',
  usage: 'gt heartbeat [--activity TEXT] [--agent ADDR]',
  syntax: {
    positionals: [],
    flags: {
      activity: { type: 'string', description: 'what the agent is doing now' },
      agent: { type: 'string', description: 'whose heartbeat (default: GT_AGENT)' },
    },
  },
  mutates: false,
  async run(args, ctx) {
    const raw = optString(args, 'agent');
    const agent = parseAgentAddress(
      raw ?? ctx.actor.id,
      raw === undefined ? 'your address (set --agent)' : '--agent',
    );
    const now = ctx.services.now();
    await ctx.services.live?.heartbeat(agent, {
      at: now.toISOString(),
      activity: (optString(args, 'activity') ?? '').slice(0, 500),
    });
    return {
      data: { agent, at: now.toISOString(), nudges: await ctx.services.ledger.takeNudges(agent, now) },
    };
  },
  text: (h) =>
    [`♥ ${h.agent} at ${h.at}`, ...h.nudges.map((n) => `  nudge from ${n.from}: ${n.message}`)].join('\n'),
});
