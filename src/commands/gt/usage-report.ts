import { parseAgentAddress, rigOfAgent } from '../../domain/agent-address.ts';
import type { Bead } from '../../domain/bead.ts';
import { notFound, refused, usageError } from '../../domain/errors.ts';
import { parseRigName } from '../../domain/rig.ts';
import type { UsageRecord, UsageReport } from '../../domain/usage.ts';
import { formatTokens, formatUsd } from '../../domain/usage-costs.ts';
import { parseCostUsd, parseReportText, parseTokenCount } from '../../domain/usage-input.ts';
import type { Ledger } from '../../ledger/port.ts';
import { flag, optString } from '../args.ts';
import { resolveBeadRef } from '../bead-ref.ts';
import { defineCommand } from '../command.ts';
import type { Args } from '../syntax.ts';
import { watchBudget } from './convoy/budget-watch.ts';

const USAGE =
  'gt usage report --bead ID --agent RIG/NAME --rig RIG --input N --output N --cache-read N --cache-write N [--model M] [--cost USD] [--session ID] [--cumulative]';

export interface UsageReportResult {
  /** False: the report added nothing (a repeat of its session's last totals, or all zeros). */
  recorded: boolean;
  record: UsageRecord | null;
}

const required = (args: Args, name: string, what: string): string => {
  const value = optString(args, name);
  if (value === undefined) throw usageError('missing_argument', `give --${name} (${what}). Usage: ${USAGE}`);
  return value;
};

/** The rig, polecat and (unresolved) bead a report names: checked before anything is read. */
export function reportOwner(args: Args): { rig: string; agent: string; bead: string } {
  return {
    rig: parseRigName(required(args, 'rig', 'the rig of the bead')),
    agent: parseAgentAddress(required(args, 'agent', 'the polecat, <rig>/<name>')),
    bead: required(args, 'bead', 'the bead the agent worked on'),
  };
}

/**
 * The convoy a bead's spend counts towards, fixed when it is reported: the open convoy tracking
 * it (the first, as `gt sling` picks it — the one whose budget applies), else the one that
 * tracked it last (a report arriving after the convoy landed still counts there).
 */
async function convoyOf(ledger: Ledger, beadId: string): Promise<string | null> {
  const ids = (await ledger.dependentsOf(beadId)).filter((d) => d.type === 'tracks').map((d) => d.issue_id);
  if (ids.length === 0) return null;
  const convoys = await ledger.listBeads({ ids, all: true });
  const open = convoys.find((c) => c.status === 'open');
  if (open) return open.id;
  const latest = [...convoys].sort((a, b) => b.updated_at.localeCompare(a.updated_at))[0];
  return latest?.id ?? null;
}

/** The bead, agent and rig must agree: usage is counted in one rig, for work of that rig. */
function checkOwner(bead: Bead, rig: string, agent: string): void {
  if (bead.issue_type === 'convoy')
    throw refused('not_work', `${bead.id} is a convoy; give the bead the agent worked on`);
  if (bead.rig !== rig)
    throw refused(
      'wrong_rig',
      `${bead.id} belongs to ${bead.rig ? `rig ${bead.rig}` : 'the town (no rig)'}, not ${rig}; give --rig ${bead.rig ?? '<its rig>'}`,
    );
  if (rigOfAgent(agent) !== rig)
    throw refused(
      'wrong_rig',
      `${agent} is not an agent of rig ${rig}; give a polecat address ${rig}/<name>`,
    );
}

/**
 * `gt usage report`: what a rig runner calls for each usage event it reads from a polecat's
 * output (domain/agent-output.ts). Recorded as the difference it adds (domain/usage.ts), priced
 * from the table when the CLI gave no dollars, and counted in the metrics.
 */
export const gtUsageReport = defineCommand<UsageReportResult>({
  path: ['gt', 'usage', 'report'],
  summary: "Record an agent's token usage and cost (what a rig runner reports)",
  usage: USAGE,
  syntax: {
    positionals: [],
    flags: {
      bead: { type: 'string', description: 'the bead the agent worked on' },
      agent: { type: 'string', description: 'the polecat, <rig>/<name>' },
      rig: { type: 'string', description: 'the rig of the bead and the polecat' },
      input: { type: 'string', description: 'input tokens (without cache reads and writes)' },
      output: { type: 'string', description: 'output tokens' },
      'cache-read': { type: 'string', description: 'tokens read from the prompt cache' },
      'cache-write': { type: 'string', description: 'tokens written to the prompt cache' },
      model: { type: 'string', description: 'the model, as the CLI names it' },
      cost: {
        type: 'string',
        description: 'dollars, as the CLI reported them (else priced from config/prices.json)',
      },
      session: { type: 'string', description: "the CLI's session id (required with --cumulative)" },
      cumulative: { type: 'boolean', description: "the figures are the session's running totals" },
    },
  },
  mutates: true,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const { rig, agent, bead: rawBead } = reportOwner(args);
    const beadId = await resolveBeadRef(ledger, rawBead);
    const counts = ['input', 'output', 'cache-read', 'cache-write'].map((n) =>
      parseTokenCount(required(args, n, `${n} tokens, 0 when the CLI gave none`), n),
    ) as [number, number, number, number];
    const rawCost = optString(args, 'cost');
    const rawModel = optString(args, 'model');
    const rawSession = optString(args, 'session');
    const session = rawSession === undefined ? null : parseReportText(rawSession, 'session');
    const cumulative = flag(args, 'cumulative');
    if (cumulative && session === null)
      throw usageError(
        'missing_session',
        "--cumulative needs --session: running totals are compared with the same session's last ones; give the CLI's session id",
      );
    const bead = await ledger.getBead(beadId);
    if (!bead) throw notFound('bead', beadId);
    checkOwner(bead, rig, agent);
    const report: UsageReport = {
      bead: bead.id,
      convoy: await convoyOf(ledger, bead.id),
      rig,
      agent,
      usage: {
        input_tokens: counts[0],
        output_tokens: counts[1],
        cache_read_tokens: counts[2],
        cache_write_tokens: counts[3],
        model: rawModel === undefined ? null : parseReportText(rawModel, 'model'),
        cost_usd: rawCost === undefined ? null : parseCostUsd(rawCost),
      },
      cumulative,
      session,
    };
    const record = await ledger.recordUsage(report, ctx.write(), ctx.services.price);
    if (record) ctx.services.onUsage?.(record);
    // Its convoy's budget (convoy/budget-watch.ts): warned at 80 %, no new dispatch at 100 %.
    if (report.convoy) await watchBudget(ledger, report.convoy, ctx.write());
    return { data: { recorded: record !== null, record } };
  },
  text: ({ record }) => {
    if (!record) return 'nothing new: the same totals as the session reported last';
    const t = record.tokens;
    const cost =
      record.cost_usd === null
        ? 'unpriced'
        : `${formatUsd(record.cost_usd)}${record.estimated ? ' (estimated)' : ''}`;
    return `recorded for ${record.bead} (${record.agent}): ${formatTokens(t.input)} in, ${formatTokens(t.output)} out, ${formatTokens(t.cache_read)} cache read, ${formatTokens(t.cache_write)} cache write; ${cost}`;
  },
});
