import { AUDIT_LIST_MAX } from '../../domain/retention.ts';
import type { AuditRecord } from '../../ledger/port.ts';
import { optInt } from '../args.ts';
import { defineCommand } from '../command.ts';

/**
 * `gt audit`: who did what, from where, and how it ended — every mutating command through any
 * interface (CLI, chat buttons and slash commands, cron jobs) writes one record.
 */
export const gtAudit = defineCommand<AuditRecord[]>({
  path: ['gt', 'audit'],
  summary: 'The audit trail: every change, who made it, from where, and its outcome (newest first)',
  usage: 'gt audit [--limit N]',
  syntax: {
    positionals: [],
    flags: {
      limit: { type: 'string', description: `how many records (default 50, at most ${AUDIT_LIST_MAX})` },
    },
  },
  mutates: false,
  run: async (args, ctx) => ({
    data: await ctx.services.ledger.listAudit(optInt(args, 'limit', 1, AUDIT_LIST_MAX) ?? 50),
  }),
  text: (records) =>
    records.length === 0
      ? 'No audit records.'
      : records
          .map(
            (r) =>
              `${r.at}  ${r.actor} (${r.actor_kind}, ${r.source})  ${r.verb}  ${r.outcome}${r.message ? `: ${r.message}` : ''}`,
          )
          .join('\n'),
});
