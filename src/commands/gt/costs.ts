import { parseAgentAddress } from '../../domain/agent-address.ts';
import { DomainError, notFound, usageError } from '../../domain/errors.ts';
import { parseRigName } from '../../domain/rig.ts';
import {
  type CostRow,
  type CostsReport,
  costsReport,
  costText,
  formatTokens,
} from '../../domain/usage-costs.ts';
import { parseSince, type UsageFilter, type UsageGroup } from '../../domain/usage-filter.ts';
import { optString } from '../args.ts';
import { resolveBeadRef } from '../bead-ref.ts';
import { type CommandContext, defineCommand } from '../command.ts';
import type { Args } from '../syntax.ts';
import { loadConvoy } from './convoy/tracked.ts';

const FILTERS = ['convoy', 'rig', 'bead', 'agent'] as const;

/** What the rows break a filter down by: the next finer thing (a bead's spend by the polecats that ran it). */
const BREAKDOWN: Record<(typeof FILTERS)[number] | 'none', UsageGroup> = {
  none: 'rig',
  rig: 'bead',
  convoy: 'bead',
  agent: 'bead',
  bead: 'agent',
};

/** The one filter given, checked against the ledger (an unknown name is refused, not "$0"). */
async function filterOf(
  args: Args,
  ctx: CommandContext,
): Promise<{ filter: UsageFilter; by: (typeof FILTERS)[number] | 'none' }> {
  const given = FILTERS.filter((f) => optString(args, f) !== undefined);
  if (given.length > 1)
    throw usageError(
      'one_filter',
      `give one of --convoy, --rig, --bead or --agent, not ${given.map((g) => `--${g}`).join(' and ')}`,
    );
  const raw = optString(args, 'since');
  const filter: UsageFilter = raw === undefined ? {} : { since: parseSince(raw, ctx.services.now()) };
  const ledger = ctx.services.ledger;
  const [by] = given;
  if (by === undefined) return { filter, by: 'none' };
  const value = optString(args, by) as string;
  switch (by) {
    case 'convoy':
      return { filter: { ...filter, convoy: (await loadConvoy(ledger, value)).id }, by };
    case 'rig': {
      const rig = parseRigName(value);
      if (!(await ledger.getRig(rig)))
        throw new DomainError('not_found', 'not_found', `rig ${rig} not found; see gt rig list`, { id: rig });
      return { filter: { ...filter, rig }, by };
    }
    case 'bead': {
      const id = await resolveBeadRef(ledger, value);
      if (!(await ledger.getBead(id))) throw notFound('bead', id);
      return { filter: { ...filter, bead: id }, by };
    }
    case 'agent':
      return { filter: { ...filter, agent: parseAgentAddress(value) }, by };
  }
}

function rowText(report: CostsReport, row: CostRow): string {
  const t = row.tokens;
  return `  ${String(row[report.group] ?? '(none)').padEnd(16)}  ${costText(row)}  ·  ${formatTokens(t.input)} in, ${formatTokens(t.output)} out, ${formatTokens(t.cache_read)} cache read, ${formatTokens(t.cache_write)} cache write`;
}

/**
 * `gt costs`: what agents spent, from the usage the runners reported (docs/costs.md) — the
 * whole town by rig, or one convoy, rig or agent by bead, or one bead by agent.
 */
export const gtCosts = defineCommand<CostsReport>({
  path: ['gt', 'costs'],
  summary: 'What agents spent: tokens and dollars per convoy, rig, bead or agent',
  usage: 'gt costs [--convoy C | --rig R | --bead B | --agent A] [--since TIME]',
  syntax: {
    positionals: [],
    flags: {
      convoy: { type: 'string', description: "a convoy's spend, by bead" },
      rig: { type: 'string', description: "a rig's spend, by bead" },
      bead: { type: 'string', description: "a bead's spend, by agent" },
      agent: { type: 'string', description: "an agent's spend, by bead" },
      since: { type: 'string', description: 'from this time (ISO) or this span back from now (24h, 7d)' },
    },
  },
  mutates: false,
  async run(args, ctx) {
    const { filter, by } = await filterOf(args, ctx);
    const group = BREAKDOWN[by];
    return { data: costsReport(await ctx.services.ledger.usageTotals(filter, group), group) };
  },
  text: (r) => {
    if (r.by.length === 0) return 'No usage recorded. Rig runners report it as their polecats work.';
    const total = `${costText(r)}  ·  ${formatTokens(r.tokens.input)} in, ${formatTokens(r.tokens.output)} out, ${formatTokens(r.tokens.cache_read)} cache read, ${formatTokens(r.tokens.cache_write)} cache write`;
    return [total, `by ${r.group}:`, ...r.by.map((row) => rowText(r, row))].join('\n');
  },
});
