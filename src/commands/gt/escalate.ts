import { parseAgentAddress } from '../../domain/agent-address.ts';
import type { Bead } from '../../domain/bead.ts';
import { refused, usageError } from '../../domain/errors.ts';
import {
  escalationLabels,
  escalationView,
  parseKind,
  parseSeverity,
  SEVERITIES,
  SEVERITY_PRIORITY,
  type Severity,
  type Subject,
  severityLabel,
  subjectLabel,
} from '../../domain/escalation.ts';
import { parseResolution } from '../../domain/resolution.ts';
import { parseDescription, parseId, parseTitle } from '../../domain/validation.ts';
import type { Ledger, WriteContext } from '../../ledger/port.ts';
import { list, optString, reqString } from '../args.ts';
import { type CommandContext, defineCommand } from '../command.ts';
import type { Args } from '../syntax.ts';
import { type EscalationRecord, withView } from './escalation-record.ts';

/**
 * `gt escalate`: ask a person for help. A report whose subject (kind + bead, else agent, else
 * reporter) already has an open escalation folds into it — a comment, and the severity raised
 * if this report is more severe — instead of a second ping (upstream #4104's flood).
 */
export const gtEscalate = defineCommand<EscalationRecord>({
  path: ['gt', 'escalate'],
  summary: 'Ask a person for help; repeated reports of one subject fold into one escalation',
  usage:
    'gt escalate -s low|medium|high|critical <summary> [-m DETAIL] [--bead ID] [--agent ADDR] [--kind K] [--propose ACTION]…',
  syntax: {
    positionals: [{ name: 'summary', required: true }],
    flags: {
      severity: { type: 'string', short: 's', description: 'low, medium, high or critical' },
      message: { type: 'string', short: 'm', description: 'detail' },
      bead: { type: 'string', description: 'the bead this is about' },
      agent: { type: 'string', description: 'the agent this is about (default: the calling agent)' },
      kind: { type: 'string', description: 'help (default), decision, stuck-agent, crash-loop, stranded, …' },
      propose: {
        type: 'string',
        list: true,
        description:
          'a proposed resolution: reassign:<rig>/<name>, reassign:queue, restart, release, acknowledge',
      },
    },
  },
  mutates: true,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const severity = parseSeverity(optString(args, 'severity'));
    const subject = await parseSubject(ledger, args, ctx);
    const proposals = parseProposals(list(args, 'propose'));
    const summary = parseTitle(reqString(args, 'summary'));
    const detail = parseDescription(optString(args, 'message'));
    const subjectKey = subjectLabel(subject, ctx.actor.id);
    const write = ctx.write();
    const [open] = await ledger.listBeads({ issue_type: 'escalation', label: subjectKey });
    if (open) return { data: withView(await fold(ledger, open, severity, summary, write), { folded: true }) };
    const created = await ledger.createBead(
      {
        title: summary,
        description: detail,
        issue_type: 'escalation',
        priority: SEVERITY_PRIORITY[severity],
        labels: escalationLabels(severity, subject, ctx.actor.id, proposals),
      },
      write,
    );
    if (subject.bead) await ledger.addDependency(created.id, subject.bead, 'related', write);
    return { data: await keepOldest(ledger, created, subjectKey, write) };
  },
  text: (e) =>
    e.folded
      ? `folded into ${e.id} (${e.severity}): ${e.title}`
      : `escalated ${e.id} (${e.severity}): ${e.title}`,
});

async function parseSubject(ledger: Ledger, args: Args, ctx: CommandContext): Promise<Subject> {
  const kind = parseKind(optString(args, 'kind'));
  const rawBead = optString(args, 'bead');
  const bead = rawBead === undefined ? null : parseId(rawBead);
  if (bead && !(await ledger.getBead(bead)))
    throw refused('not_found', `bead ${bead} not found; check --bead`);
  const raw = optString(args, 'agent') ?? (ctx.actor.kind === 'agent' ? ctx.actor.id : undefined);
  const agent = raw === undefined ? null : parseAgentAddress(raw);
  return { kind, bead, agent };
}

function parseProposals(raw: readonly string[]): string[] {
  for (const p of raw) {
    if (parseResolution(p).type === 'note')
      throw usageError(
        'invalid_action',
        `--propose ${JSON.stringify(p)}: use reassign:<rig>/<name>, reassign:queue, restart, release or acknowledge`,
      );
  }
  return [...new Set(raw)];
}

/** Another report of an open escalation's subject: noted on it, severity raised if higher. */
async function fold(ledger: Ledger, open: Bead, severity: Severity, summary: string, write: WriteContext) {
  await ledger.addComment(open.id, `reported again by ${write.actor} (${severity}): ${summary}`, write);
  const current = escalationView(open).severity;
  if (SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(current)) return open;
  return ledger.updateBead(
    open.id,
    {
      priority: SEVERITY_PRIORITY[severity],
      add_labels: [severityLabel(severity)],
      remove_labels: [severityLabel(current)],
    },
    write,
  );
}

/**
 * Create-then-dedup (as upstream does for cleanup wisps): when two reports of one subject raced
 * past the lookup, the oldest escalation stays and later ones close themselves into it.
 */
async function keepOldest(ledger: Ledger, created: Bead, subjectKey: string, write: WriteContext) {
  const open = await ledger.listBeads({ issue_type: 'escalation', label: subjectKey });
  const oldest = open.reduce(
    (a, b) => (a.created_at < b.created_at || (a.created_at === b.created_at && a.id < b.id) ? a : b),
    created,
  );
  if (oldest.id === created.id)
    return withView((await ledger.getBead(created.id)) ?? created, { folded: false });
  await ledger.closeBead(created.id, { reason: `Folded into ${oldest.id}`, force: true }, write);
  return withView(await fold(ledger, oldest, escalationView(created).severity, created.title, write), {
    folded: true,
  });
}
