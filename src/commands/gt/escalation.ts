import { conflict, refused } from '../../domain/errors.ts';
import {
  ACKED_LABEL,
  reescalationDue,
  reescalationPatch,
  SEVERITY_PRIORITY,
} from '../../domain/escalation.ts';
import { flag, optInt, optString, reqString } from '../args.ts';
import { defineCommand } from '../command.ts';
import { beadLines } from '../render.ts';
import {
  assertOpen,
  checkVersion,
  type EscalationRecord,
  loadEscalation,
  VERSION_FLAG,
  withView,
} from './escalation-record.ts';

export const gtEscalationList = defineCommand<EscalationRecord[]>({
  path: ['gt', 'escalation', 'list'],
  summary: 'Open escalations, most severe first (--all: resolved too)',
  usage: 'gt escalation list [--all]',
  syntax: {
    positionals: [],
    flags: { all: { type: 'boolean', description: 'include resolved escalations' } },
  },
  mutates: false,
  run: async (args, ctx) => ({
    data: (await ctx.services.ledger.listBeads({ issue_type: 'escalation', all: flag(args, 'all') })).map(
      (e) => withView(e),
    ),
  }),
  text: (records) => beadLines(records, 'No open escalations.'),
});

export const gtEscalationAck = defineCommand<EscalationRecord>({
  path: ['gt', 'escalation', 'ack'],
  summary: 'Acknowledge an escalation (someone is on it; stops re-escalation)',
  usage: 'gt escalation ack <id> [--version N]',
  syntax: { positionals: [{ name: 'id', required: true }], flags: VERSION_FLAG },
  mutates: true,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const e = await loadEscalation(ledger, reqString(args, 'id'));
    assertOpen(e);
    checkVersion(e, optString(args, 'version'));
    if (e.labels.includes(ACKED_LABEL))
      throw refused(
        'already_acknowledged',
        `${e.id} was already acknowledged by ${e.assignee}; nothing changed`,
      );
    const acked = await ledger.claimBead(
      e.id,
      {
        expect: { status: e.status, assignee: e.assignee, version: e.version },
        set: { status: e.status, assignee: ctx.actor.id, add_labels: [ACKED_LABEL] },
      },
      ctx.write(),
    );
    if (!acked)
      throw conflict('stale_version', `${e.id} changed meanwhile; look again with gt escalation list`);
    return { data: withView(acked) };
  },
  text: (e) => `acknowledged ${e.id}`,
});

/** System verb: closes an escalation whose condition cleared, saying why (self-retirement). */
export const gtEscalationRetire = defineCommand<EscalationRecord>({
  path: ['gt', 'escalation', 'retire'],
  summary: 'Close an escalation whose condition has cleared, saying what cleared it',
  usage: 'gt escalation retire <id> --why TEXT',
  syntax: {
    positionals: [{ name: 'id', required: true }],
    flags: { why: { type: 'string', description: 'what cleared the condition' } },
  },
  mutates: true,
  async run(args, ctx) {
    const e = await loadEscalation(ctx.services.ledger, reqString(args, 'id'));
    assertOpen(e);
    const reason = `Retired: ${reqString(args, 'why')}`;
    return {
      data: withView(await ctx.services.ledger.closeBead(e.id, { reason, force: true }, ctx.write())),
    };
  },
  text: (e) => `retired ${e.id} (${e.close_reason})`,
});

/** System verb run by the re-escalation job; it refuses unless the bump is due (the rule lives here). */
export const gtEscalationReescalate = defineCommand<EscalationRecord>({
  path: ['gt', 'escalation', 'reescalate'],
  summary: 'Bump an unacknowledged escalation one severity step once it is stale (at most twice)',
  usage: 'gt escalation reescalate <id> --stale-after SECONDS',
  syntax: {
    positionals: [{ name: 'id', required: true }],
    flags: { 'stale-after': { type: 'string', description: 'seconds an unacknowledged severity may stand' } },
  },
  mutates: true,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const e = await loadEscalation(ledger, reqString(args, 'id'));
    const staleS = optInt(args, 'stale-after', 1, 365 * 86_400) ?? 14_400;
    const next = reescalationDue(e, ctx.services.now(), staleS * 1000);
    if (!next) throw refused('not_due', `${e.id} is not due for re-escalation`);
    const write = ctx.write();
    const bumped = await ledger.claimBead(
      e.id,
      {
        expect: { status: e.status, assignee: e.assignee, version: e.version },
        set: {
          status: e.status,
          assignee: e.assignee,
          priority: SEVERITY_PRIORITY[next],
          ...reescalationPatch(e, next),
        },
      },
      write,
    );
    if (!bumped) throw conflict('stale_version', `${e.id} changed meanwhile`);
    await ledger.addComment(e.id, `re-escalated to ${next}: unacknowledged for ${staleS}s`, write);
    return { data: withView(bumped) };
  },
  text: (e) => `re-escalated ${e.id} to ${e.severity}`,
});
