import { roundFailedNote } from '../../../domain/plan.ts';
import { type PlanView, planText, planView } from '../../../domain/plan-view.ts';
import type { Ledger } from '../../../ledger/port.ts';
import { reqString } from '../../args.ts';
import { defineCommand } from '../../command.ts';
import { analyseStageSet } from '../convoy/stage.ts';
import { collectStageSet } from '../convoy/stage-input.ts';
import { loadPlan, type PlanRecord } from './plan-record.ts';

async function noteOf(ledger: Ledger, r: PlanRecord): Promise<string | null> {
  if (r.facts.state !== 'ready') return null;
  const prefix = roundFailedNote(r.facts.round, '');
  const comments = await ledger.listComments(r.plan.id);
  return comments.filter((c) => c.text.startsWith(prefix)).pop()?.text ?? null;
}

/** The view of a plan: its goal and state, and its convoy's waves as staging sees them now. */
export async function viewPlan(ledger: Ledger, r: PlanRecord): Promise<PlanView> {
  const base = { plan: r.plan, facts: r.facts, convoy: r.convoy, note: await noteOf(ledger, r) };
  if (!r.convoy) return planView({ ...base, stage: null, beads: new Map(), blocking: [] });
  const set = await collectStageSet(ledger, [r.convoy.id]).catch(() => null);
  if (!set) return planView({ ...base, stage: null, beads: new Map(), blocking: [] });
  const stage = await analyseStageSet(ledger, set);
  const ids = new Set(set.beads.map((b) => b.id));
  const blocking = set.edges
    .filter((e) => e.type === 'blocks' && ids.has(e.issue_id) && ids.has(e.depends_on_id))
    .map((e): [string, string] => [e.issue_id, e.depends_on_id]);
  return planView({ ...base, stage, beads: new Map(set.beads.map((b) => [b.id, b])), blocking });
}

/** `gt plan show <convoy|plan>`: the goal, who asked, the waves per rig, warnings, what to do next. */
export const gtPlanShow = defineCommand<PlanView>({
  path: ['gt', 'plan', 'show'],
  summary: 'A plan: its goal, its waves of beads per rig, warnings, and what it waits for',
  usage: 'gt plan show <convoy | plan>',
  syntax: { positionals: [{ name: 'id', required: true }], flags: {} },
  mutates: false,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    return { data: await viewPlan(ledger, await loadPlan(ledger, reqString(args, 'id'))) };
  },
  text: planText,
});
