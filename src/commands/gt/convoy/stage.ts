import type { Bead } from '../../../domain/bead.ts';
import { budgetOf, usdField } from '../../../domain/budget.ts';
import { type BudgetDefaults, defaultBudget, NO_BUDGET_DEFAULTS } from '../../../domain/budget-default.ts';
import { isStaged } from '../../../domain/convoy.ts';
import { parseConvoyFields, writeConvoyFields } from '../../../domain/convoy-fields.ts';
import { refused } from '../../../domain/errors.ts';
import { isFormulaGate } from '../../../domain/human-gate.ts';
import { planStage } from '../../../domain/stage-plan.ts';
import type { Finding, StagePlan, Wave } from '../../../domain/staging.ts';
import { toUsd } from '../../../domain/usage.ts';
import { formatUsd } from '../../../domain/usage-costs.ts';
import { parseTitle } from '../../../domain/validation.ts';
import type { Ledger, WriteContext } from '../../../ledger/port.ts';
import { list, optString } from '../../args.ts';
import { type CommandContext, defineCommand } from '../../command.ts';
import { givenBudget } from './budget-input.ts';
import { collectStageSet, type StageSet } from './stage-input.ts';
import { convoysTracking, trackedBeads } from './tracked.ts';

export interface StageResult {
  convoy_id: string;
  status: StagePlan['status'];
  /** false when the convoy was already open or closed: its plan is shown, nothing changes. */
  staged: boolean;
  waves: Wave[];
  gated: StagePlan['gated'];
  warnings: Finding[];
  errors: Finding[];
  /** The convoy's budget in dollars (domain/budget.ts); null: none. */
  budget_usd: number | null;
}

/** `--budget` (micros) and the defaults of GT_DEFAULT_BUDGET_USD, for a convoy staging creates. */
export interface StageBudget {
  given?: number | undefined;
  defaults?: BudgetDefaults | undefined;
}

/**
 * `gt convoy stage`: analyse, and only when the analysis has no errors, create or re-stage a
 * staged convoy. Fixes on purpose (convoy.md §5.2): staging an open or closed convoy only shows
 * its plan (no duplicate convoy); no validation bead is created.
 */
export async function stage(
  ledger: Ledger,
  rawIds: readonly string[],
  title: string | undefined,
  ctx: WriteContext,
  budget: StageBudget = {},
): Promise<StageResult> {
  const set = await collectStageSet(ledger, rawIds);
  const plan = await analyseStageSet(ledger, set);
  const result = (convoyId: string, staged: boolean, convoy?: Bead): StageResult => {
    const { slingable: _tracked, ...shown } = plan;
    const b = convoy ? budgetOf(convoy) : null;
    return { convoy_id: convoyId, staged, ...shown, budget_usd: b ? toUsd(b.total) : null };
  };
  if (plan.status === 'error') {
    throw refused('stage_failed', `convoy staging failed: ${plan.errors.map((e) => e.message).join('; ')}`, {
      result: result('', false),
    });
  }
  if (set.convoy && !isStaged(set.convoy.status)) {
    if (budget.given !== undefined)
      throw refused(
        'already_launched',
        `convoy ${set.convoy.id} is already launched: its budget only grows, with gt convoy budget ${set.convoy.id} --extend USD`,
      );
    return result(set.convoy.id, false, set.convoy);
  }
  const target = set.convoy ?? (await stagedOverlap(ledger, plan.slingable));
  const convoyTitle = title !== undefined ? parseTitle(title) : defaultTitle(set, plan);
  const convoy = target
    ? await restage(ledger, target, plan, title, budget.given, ctx)
    : await createStaged(ledger, plan, convoyTitle, stagedBudget(set, plan, budget), ctx);
  return result(convoy.id, true, convoy);
}

/** `--budget`, else the default of the rigs of the work it stages. */
function stagedBudget(set: StageSet, plan: StagePlan, budget: StageBudget): number | null {
  if (budget.given !== undefined) return budget.given;
  const slingable = new Set(plan.slingable);
  const rigs = set.beads.filter((b) => slingable.has(b.id) && b.rig !== null).map((b) => b.rig as string);
  return defaultBudget(budget.defaults ?? NO_BUDGET_DEFAULTS, [...new Set(rigs)]);
}

/** The stage analysis of a set (also what a convoy card shows as its waves). */
export async function analyseStageSet(ledger: Ledger, set: StageSet): Promise<StagePlan> {
  const inSet = new Set(set.beads.map((b) => b.id));
  const outside = [...new Set(set.edges.map((e) => e.depends_on_id).filter((id) => !inSet.has(id)))];
  const openOutside = new Set(
    (await ledger.listBeads({ ids: outside, all: true }))
      .filter((b) => b.status !== 'closed' && b.status !== 'pinned')
      .map((b) => b.id),
  );
  const parkedRigs = new Set((await ledger.listRigs()).filter((r) => r.parked).map((r) => r.name));
  return planStage({
    nodes: set.beads,
    edges: set.edges,
    epicInput: set.kind === 'epic',
    parkedRigs,
    isOpenOutside: (id) => openOutside.has(id),
  });
}

/** An open convoy already carrying this work refuses; exactly one staged convoy is re-staged. */
async function stagedOverlap(ledger: Ledger, slingable: readonly string[]): Promise<Bead | null> {
  const found = new Map<string, Bead>();
  for (const id of slingable)
    for (const c of await convoysTracking(ledger, id, ['open', 'staged_ready', 'staged_warnings']))
      found.set(c.id, c);
  const open = [...found.values()].filter((c) => c.status === 'open');
  if (open.length > 0) {
    throw refused(
      'already_in_open_convoy',
      `cannot stage: open convoy ${open[0]?.id} already tracks some of these beads — close it first or let it finish`,
    );
  }
  if (found.size > 1)
    throw refused(
      'ambiguous_restage',
      `ambiguous: ${found.size} staged convoys overlap these beads (${[...found.keys()].sort().join(', ')})`,
    );
  return [...found.values()][0] ?? null;
}

async function createStaged(
  ledger: Ledger,
  plan: StagePlan,
  title: string,
  budget: number | null,
  ctx: WriteContext,
): Promise<Bead> {
  const description = writeConvoyFields(
    `Staged convoy: ${plan.slingable.length} tasks, ${plan.waves.length} waves.`,
    budget === null ? {} : { budget: usdField(budget) },
  );
  const convoy = await ledger.createBead(
    { title, description, issue_type: 'convoy', status: plan.status as Bead['status'] },
    ctx,
  );
  for (const id of plan.slingable) await ledger.addDependency(convoy.id, id, 'tracks', ctx);
  return convoy;
}

/** Reconciles the tracked set and the status; the description and its fields are kept (upstream wiped them). */
async function restage(
  ledger: Ledger,
  convoy: Bead,
  plan: StagePlan,
  title: string | undefined,
  budget: number | undefined,
  ctx: WriteContext,
): Promise<Bead> {
  const tracked = await trackedBeads(ledger, convoy.id);
  // Slingable work, and the gates a formula run gave it (a person approves them, or the clock
  // opens them: the convoy waits on them, and their closing feeds what they hold).
  const want = new Set([...plan.slingable, ...tracked.filter(isFormulaGate).map((b) => b.id)]);
  const have = new Set(tracked.map((b) => b.id));
  for (const id of plan.slingable)
    if (!have.has(id)) await ledger.addDependency(convoy.id, id, 'tracks', ctx);
  for (const id of have) if (!want.has(id)) await ledger.removeDependency(convoy.id, id, ctx);
  // A staged convoy has spent nothing and nothing races its budget yet: the field is simply set.
  const description =
    budget === undefined
      ? undefined
      : writeConvoyFields(convoy.description, {
          ...parseConvoyFields(convoy.description),
          budget: usdField(budget),
        });
  return ledger.updateBead(
    convoy.id,
    {
      status: plan.status as Bead['status'],
      ...(title !== undefined && { title: parseTitle(title) }),
      ...(description !== undefined && { description }),
    },
    ctx,
  );
}

function defaultTitle(set: StageSet, plan: StagePlan): string {
  if (set.epic) return parseTitle(`Convoy: ${set.epic.title}`);
  const rigs = new Set(set.beads.map((b) => b.rig).filter(Boolean));
  return `Staged: ${plan.slingable.length} beads across ${rigs.size} rig(s)`;
}

function stageText(r: StageResult): string {
  const lines = r.waves.map((w) => `  wave ${w.wave}: ${w.issues.join(', ')}`);
  for (const g of r.gated)
    lines.push(`  gated: ${g.id}${g.gated_by.length ? ` (by ${g.gated_by.join(', ')})` : ''}`);
  for (const w of r.warnings) lines.push(`  ⚠ [${w.category}] ${w.message}`);
  const budget = r.budget_usd === null ? '' : `, budget ${formatUsd(r.budget_usd)}`;
  const head = r.staged
    ? `Convoy staged: ${r.convoy_id} (status: ${r.status}${budget})`
    : `Plan of ${r.convoy_id} (not re-staged: it is already launched)`;
  return [head, ...lines].join('\n');
}

export const gtConvoyStage = defineCommand<StageResult>({
  path: ['gt', 'convoy', 'stage'],
  summary: 'Plan waves for an epic, a convoy or beads, and create (or re-stage) a staged convoy',
  usage: 'gt convoy stage <epic | convoy | id…> [--title T] [--budget USD]',
  syntax: {
    positionals: [{ name: 'ids', required: true, variadic: true }],
    flags: {
      title: { type: 'string', description: 'convoy title' },
      budget: { type: 'string', description: 'dollars its agents may spend before dispatch stops' },
    },
  },
  mutates: true,
  run: async (args, ctx: CommandContext) => {
    const given = givenBudget(args); // checked before anything is read
    return {
      data: await stage(ctx.services.ledger, list(args, 'ids'), optString(args, 'title'), ctx.write(), {
        given,
        defaults: ctx.services.budgetDefaults,
      }),
    };
  },
  text: stageText,
});
