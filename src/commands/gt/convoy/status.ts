import type { Bead } from '../../../domain/bead.ts';
import { budgetOf, spendLevel } from '../../../domain/budget.ts';
import { progressOf } from '../../../domain/convoy.ts';
import { type CostSummary, costSummary, costText } from '../../../domain/usage-costs.ts';
import { parseStatus } from '../../../domain/validation.ts';
import type { Ledger } from '../../../ledger/port.ts';
import { flag, optString } from '../../args.ts';
import { defineCommand } from '../../command.ts';
import { convoySpend } from './budget-watch.ts';
import { type ConvoyStatusView, loadConvoy, statusView, trackedBeads } from './tracked.ts';

/** A convoy's budget as status shows it: dollars, and where it stands (docs/costs.md "Budgets"). */
export interface ConvoyBudgetLine {
  budget_usd: number;
  spent_usd: number;
  state: string;
}

/** A convoy's status with what its agents spent (null: no usage reported; docs/costs.md) and its budget. */
export type ConvoyStatusWithCost = ConvoyStatusView & {
  cost: CostSummary | null;
  budget: ConvoyBudgetLine | null;
};

/** The spend of a convoy: the usage reported for its beads while they rode in it. */
export const convoyCost = async (ledger: Ledger, convoyId: string): Promise<CostSummary | null> =>
  costSummary(await ledger.usageTotals({ convoy: convoyId }, null));

async function budgetLine(ledger: Ledger, convoy: Bead): Promise<ConvoyBudgetLine | null> {
  const budget = budgetOf(convoy);
  if (!budget) return null;
  const spent = await convoySpend(ledger, convoy.id);
  const state = budget.state === 'stopped' ? 'stopped' : spendLevel(budget.total, spent);
  return { budget_usd: budget.total / 1e6, spent_usd: spent / 1e6, state };
}

const withCost = async (ledger: Ledger, convoy: Bead): Promise<ConvoyStatusWithCost> => ({
  ...statusView(convoy, await trackedBeads(ledger, convoy.id)),
  cost: await convoyCost(ledger, convoy.id),
  budget: await budgetLine(ledger, convoy),
});

const bar = (done: number, total: number, width = 20): string => {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total}`;
};

function statusText(v: ConvoyStatusWithCost): string {
  const lines = [
    `🚚 ${v.id}: ${v.title}  (${v.status}${v.owned ? ', owned' : ''})`,
    `   ${bar(v.completed, v.total)}${v.merging ? `  (${v.merging} merging)` : ''}`,
  ];
  if (v.cost) lines.push(`   ${costText(v.cost)}`);
  if (v.budget)
    lines.push(
      `   budget $${v.budget.spent_usd.toFixed(2)} of $${v.budget.budget_usd.toFixed(2)} (${v.budget.state})`,
    );
  for (const t of v.tracked) {
    const glyph = t.status === 'closed' ? '✓' : t.blocked ? '⏸' : t.assignee ? '▶' : '○';
    lines.push(`   ${glyph} ${t.id}  ${t.title}  [${t.rig ?? 'town'}${t.assignee ? ` @${t.assignee}` : ''}]`);
  }
  return lines.join('\n');
}

export const gtConvoyStatus = defineCommand<ConvoyStatusWithCost | ConvoyStatusWithCost[]>({
  path: ['gt', 'convoy', 'status'],
  summary: 'Progress of a convoy across every rig (without an id: every open convoy)',
  usage: 'gt convoy status [<convoy>]',
  syntax: { positionals: [{ name: 'convoy' }], flags: {} },
  mutates: false,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const id = optString(args, 'convoy');
    if (id !== undefined) return { data: await withCost(ledger, await loadConvoy(ledger, id)) };
    const open = await ledger.listBeads({ issue_type: 'convoy', status: ['open'] });
    const views = [];
    for (const convoy of open) views.push(await withCost(ledger, convoy));
    return { data: views };
  },
  text: (data) =>
    Array.isArray(data)
      ? data.length === 0
        ? 'No active convoys.'
        : data.map(statusText).join('\n\n')
      : statusText(data),
});

export interface ConvoyRow {
  id: string;
  title: string;
  status: string;
  completed: number;
  total: number;
  tracked?: Array<{ id: string; title: string; status: string }>;
}

export const gtConvoyList = defineCommand<ConvoyRow[]>({
  path: ['gt', 'convoy', 'list'],
  summary: 'Convoys with their progress (open ones unless --all or --status)',
  usage: 'gt convoy list [--all | --status S] [--tree]',
  syntax: {
    positionals: [],
    flags: {
      all: { type: 'boolean', description: 'include closed convoys' },
      status: { type: 'string', description: 'open, closed, staged_ready or staged_warnings' },
      tree: { type: 'boolean', description: 'show each convoy’s tracked beads' },
    },
  },
  mutates: false,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const status = optString(args, 'status');
    const convoys = await ledger.listBeads({
      issue_type: 'convoy',
      ...(status !== undefined ? { status: [parseStatus(status)] } : flag(args, 'all') ? { all: true } : {}),
    });
    const rows: ConvoyRow[] = [];
    for (const c of convoys) {
      const tracked = await trackedBeads(ledger, c.id);
      const row: ConvoyRow = { id: c.id, title: c.title, status: c.status, ...progressOf(tracked) };
      if (flag(args, 'tree'))
        row.tracked = tracked.map((b) => ({ id: b.id, title: b.title, status: b.status }));
      rows.push(row);
    }
    return { data: rows };
  },
  text: (rows) =>
    rows.length === 0
      ? 'No convoys found. Create one: gt convoy create <name> [<id>…]'
      : rows
          .map((r) =>
            [
              `🚚 ${r.id}: ${r.title}  ${r.status}  ${bar(r.completed, r.total, 10)}`,
              ...(r.tracked ?? []).map(
                (t, i, all) =>
                  `   ${i === all.length - 1 ? '└──' : '├──'} ${t.status === 'closed' ? '✓' : '○'} ${t.id}: ${t.title}`,
              ),
            ].join('\n'),
          )
          .join('\n'),
});
