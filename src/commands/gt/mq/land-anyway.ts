import { refused, usageError } from '../../../domain/errors.ts';
import { mayDecide } from '../../../domain/merge-decisions.ts';
import type { MergeRequest } from '../../../domain/merge-request.ts';
import { optString, reqString } from '../../args.ts';
import { defineCommand } from '../../command.ts';
import { landAnyway } from './back-to-work.ts';
import { checkMrVersion, MR_VERSION_FLAG } from './mr-version.ts';
import { loadMr } from './view.ts';

/**
 * `gt mq land-anyway <mr> -r REASON`: a person who holds `mq:override` (no built-in role does;
 * `admin` does not imply it) lands a held merge request without its gates passing — the
 * decision a `merge-failed` escalation's "Land anyway" button makes. Only a held MR: one still
 * in the queue or sent back for rework has not been given up on.
 */
export const gtMqLandAnyway = defineCommand<MergeRequest>({
  path: ['gt', 'mq', 'land-anyway'],
  summary: 'Land a held merge request without passing its gates (needs mq:override)',
  usage: 'gt mq land-anyway <mr> -r REASON',
  syntax: {
    positionals: [{ name: 'mr', required: true }],
    flags: {
      reason: { type: 'string', short: 'r', description: 'why it may land untested (required)' },
      ...MR_VERSION_FLAG,
    },
  },
  mutates: true,
  async run(args, ctx) {
    const reason = optString(args, 'reason')?.trim();
    if (!reason)
      throw usageError('missing_reason', 'say why it may land untested: gt mq land-anyway <mr> -r "REASON"');
    const mr = await loadMr(ctx.services.ledger, reqString(args, 'mr'));
    checkMrVersion(mr, optString(args, 'version'));
    if (!mayDecide('land-anyway', mr.status))
      throw refused(
        'mr_state',
        `${mr.id} is ${mr.status}; only a held merge request lands anyway (gt mq hold ${mr.id} first if it must)`,
      );
    return { data: await landAnyway(ctx.services.ledger, mr, reason, ctx.write()) };
  },
  text: (mr) => `${mr.id}: queued to land without passing gates (${mr.reason})`,
});
