import type { Bead } from '../../domain/bead.ts';
import { refused } from '../../domain/errors.ts';
import {
  ACKED_LABEL,
  ESCALATION_LABEL,
  parseSeverity,
  SEVERITY_PRIORITY,
  severityLabel,
} from '../../domain/escalation.ts';
import { parseDescription, parseId, parseTitle } from '../../domain/validation.ts';
import type { Ledger } from '../../ledger/port.ts';
import { flag, optString, reqString } from '../args.ts';
import { defineCommand } from '../command.ts';
import { beadLines } from '../render.ts';

export const gtEscalate = defineCommand<Bead>({
  path: ['gt', 'escalate'],
  summary: 'Ask a person for help (stored; routing to chat arrives with the supervision issue)',
  usage: 'gt escalate -s low|medium|high|critical <summary> [-m DETAIL] [--bead ID]',
  syntax: {
    positionals: [{ name: 'summary', required: true }],
    flags: {
      severity: { type: 'string', short: 's', description: 'low, medium, high or critical' },
      message: { type: 'string', short: 'm', description: 'detail' },
      bead: { type: 'string', description: 'the bead this is about' },
    },
  },
  permission: 'write',
  mutates: true,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const severity = parseSeverity(optString(args, 'severity'));
    const about = optString(args, 'bead');
    const beadId = about === undefined ? null : parseId(about);
    if (beadId && !(await ledger.getBead(beadId)))
      throw refused('not_found', `bead ${beadId} not found; check --bead`);
    const write = ctx.write();
    const escalation = await ledger.createBead(
      {
        title: parseTitle(reqString(args, 'summary')),
        description: parseDescription(optString(args, 'message')),
        issue_type: 'escalation',
        priority: SEVERITY_PRIORITY[severity],
        labels: [ESCALATION_LABEL, severityLabel(severity)],
      },
      write,
    );
    if (beadId) await ledger.addDependency(escalation.id, beadId, 'related', write);
    return { data: escalation };
  },
  text: (e) => `escalated ${e.id}: ${e.title}`,
});

async function loadEscalation(ledger: Ledger, raw: string): Promise<Bead> {
  const id = parseId(raw);
  const bead = await ledger.getBead(id);
  if (bead?.issue_type !== 'escalation')
    throw refused('not_an_escalation', `${id} is not an escalation; see gt escalation list`);
  return bead;
}

export const gtEscalationList = defineCommand<Bead[]>({
  path: ['gt', 'escalation', 'list'],
  summary: 'Open escalations, most severe first (--all: resolved too)',
  usage: 'gt escalation list [--all]',
  syntax: {
    positionals: [],
    flags: { all: { type: 'boolean', description: 'include resolved escalations' } },
  },
  permission: 'read',
  mutates: false,
  run: async (args, ctx) => ({
    data: await ctx.services.ledger.listBeads({ issue_type: 'escalation', all: flag(args, 'all') }),
  }),
  text: (beads) => beadLines(beads, 'No open escalations.'),
});

export const gtEscalationAck = defineCommand<Bead>({
  path: ['gt', 'escalation', 'ack'],
  summary: 'Acknowledge an escalation (someone is on it)',
  usage: 'gt escalation ack <id>',
  syntax: { positionals: [{ name: 'id', required: true }], flags: {} },
  permission: 'write',
  mutates: true,
  async run(args, ctx) {
    const e = await loadEscalation(ctx.services.ledger, reqString(args, 'id'));
    return { data: await ctx.services.ledger.updateBead(e.id, { add_labels: [ACKED_LABEL] }, ctx.write()) };
  },
  text: (e) => `acknowledged ${e.id}`,
});

export const gtEscalationResolve = defineCommand<Bead>({
  path: ['gt', 'escalation', 'resolve'],
  summary: 'Resolve an escalation, saying what was done',
  usage: 'gt escalation resolve <id> [--action A]',
  syntax: {
    positionals: [{ name: 'id', required: true }],
    flags: { action: { type: 'string', description: 'what was done about it' } },
  },
  permission: 'write',
  mutates: true,
  async run(args, ctx) {
    const e = await loadEscalation(ctx.services.ledger, reqString(args, 'id'));
    const reason = `Resolved${optString(args, 'action') ? `: ${optString(args, 'action')}` : ''} by ${ctx.actor.id}`;
    return { data: await ctx.services.ledger.closeBead(e.id, { reason, force: true }, ctx.write()) };
  },
  text: (e) => `resolved ${e.id} (${e.close_reason})`,
});
