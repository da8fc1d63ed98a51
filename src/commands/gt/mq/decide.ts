import { refused, usageError } from '../../../domain/errors.ts';
import { MR_DECISIONS } from '../../../domain/merge-decisions.ts';
import type { MergeRequest, MrStatus } from '../../../domain/merge-request.ts';
import { optString, reqString } from '../../args.ts';
import { type CommandContext, defineCommand } from '../../command.ts';
import type { Args } from '../../syntax.ts';
import { moveMergeRequest } from './back-to-work.ts';
import { checkMrVersion, MR_VERSION_FLAG } from './mr-version.ts';
import { loadMr } from './view.ts';

/**
 * A person's decisions on a merge request, each one compare-and-swap on the MR's version (two
 * people, two replicas: one wins, the other is told it changed):
 *  retry    held | needs-rework → queued (verified again as submitted)
 *  hold     queued | needs-rework → held (the queue passes it by)
 *  release  held → queued
 *  reject   any open state → rejected; the bead goes back to the queue to be worked again
 */
interface Decision {
  word: string;
  summary: string;
  from: readonly MrStatus[];
  to: MrStatus;
  reason: (args: Args, ctx: CommandContext) => string;
}

const DECISIONS: readonly Decision[] = [
  {
    word: 'retry',
    summary: 'Verify a held or failed merge request again',
    from: MR_DECISIONS.retry,
    to: 'queued',
    reason: (_a, c) => `retried by ${c.actor.id}`,
  },
  {
    word: 'hold',
    summary: 'Keep a merge request out of the queue until released',
    from: MR_DECISIONS.hold,
    to: 'held',
    reason: (_a, c) => `held by ${c.actor.id}`,
  },
  {
    word: 'release',
    summary: 'Put a held merge request back in the queue',
    from: MR_DECISIONS.release,
    to: 'queued',
    reason: (_a, c) => `released by ${c.actor.id}`,
  },
  {
    word: 'reject',
    summary: 'Refuse a merge request for good (its bead goes back to be worked again)',
    from: MR_DECISIONS.reject,
    to: 'rejected',
    reason: (a, c) => `rejected by ${c.actor.id}: ${String(a.reason)}`,
  },
];

async function decide(d: Decision, args: Args, ctx: CommandContext): Promise<MergeRequest> {
  const mr = await loadMr(ctx.services.ledger, reqString(args, 'mr'));
  checkMrVersion(mr, optString(args, 'version'));
  if (!d.from.includes(mr.status))
    throw refused(
      'mr_state',
      `${mr.id} is ${mr.status}; gt mq ${d.word} applies to ${d.from.join(', ')} merge requests`,
    );
  return moveMergeRequest(ctx.services.ledger, mr, d.to, d.reason(args, ctx), ctx.write());
}

const decisionVerb = (d: Decision) =>
  defineCommand<MergeRequest>({
    path: ['gt', 'mq', d.word],
    summary: d.summary,
    usage: d.word === 'reject' ? 'gt mq reject <mr> -r REASON' : `gt mq ${d.word} <mr>`,
    syntax: {
      positionals: [{ name: 'mr', required: true }],
      flags: {
        ...(d.word === 'reject' && { reason: { type: 'string', short: 'r', description: 'why (required)' } }),
        ...MR_VERSION_FLAG,
      },
    },
    mutates: true,
    async run(args, ctx) {
      if (d.word === 'reject' && !optString(args, 'reason')?.trim())
        throw usageError('missing_reason', 'say why: gt mq reject <mr> -r "REASON"');
      return { data: await decide(d, args, ctx) };
    },
    text: (mr) => `${mr.id}: ${mr.status} (${mr.reason})`,
  });

export const [gtMqRetry, gtMqHold, gtMqRelease, gtMqReject] = DECISIONS.map(decisionVerb) as [
  ReturnType<typeof decisionVerb>,
  ReturnType<typeof decisionVerb>,
  ReturnType<typeof decisionVerb>,
  ReturnType<typeof decisionVerb>,
];
