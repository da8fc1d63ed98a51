import { refused } from '../../../domain/errors.ts';
import { MAYOR_BEAD, mayorCommand, parseMayorConfig } from '../../../domain/mayor-config.ts';
import { newPlanLabels, parseGoal, planTitle } from '../../../domain/plan.ts';
import { parseRigName } from '../../../domain/rig.ts';
import { list, optString } from '../../args.ts';
import { defineCommand } from '../../command.ts';
import { loadFormula } from '../formula.ts';

export interface PlanRequest {
  plan: string;
  state: 'queued';
  goal: string;
  rigs: string[];
  formula: string | null;
}

/**
 * `gt plan "<goal>" [--rig R]… [--formula NAME]`: asks the Mayor for a plan. Everything is
 * checked first — the goal, the rigs, the formula, that the town has a Mayor to run — then one
 * plan bead is written, queued for the Mayor (the service runs one planning round at a time);
 * its card follows in chat and `gt plan show` shows it. Nothing else is made until the Mayor
 * works, and nothing is launched until a person says so.
 */
export const gtPlan = defineCommand<PlanRequest>({
  path: ['gt', 'plan'],
  summary: 'Ask the Mayor to plan a goal: beads with dependencies, staged for a person to launch',
  usage: 'gt plan "<goal>" [--rig R]… [--formula NAME]',
  syntax: {
    positionals: [{ name: 'goal', required: true, variadic: true }],
    flags: {
      rig: { type: 'string', list: true, description: 'a rig the work is for (repeatable; default: any)' },
      formula: { type: 'string', description: 'a formula the Mayor should run for it' },
    },
  },
  mutates: true,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const goal = parseGoal(list(args, 'goal').join(' '));
    const known = await ledger.listRigs();
    const rigs = [...new Set(list(args, 'rig').map((r) => parseRigName(r)))];
    const unknown = rigs.filter((r) => !known.some((k) => k.name === r));
    if (unknown.length)
      throw refused(
        'rig_not_found',
        `no rig ${unknown.join(', ')}; see gt rig list (${known.map((r) => r.name).join(', ') || 'none yet'})`,
      );
    const rawFormula = optString(args, 'formula');
    const formula = rawFormula === undefined ? null : (await loadFormula(ctx, rawFormula)).formula.name;
    if (!mayorCommand(parseMayorConfig(await ledger.getBead(MAYOR_BEAD))))
      throw refused(
        'no_mayor',
        'this town has no Mayor to plan with yet; ask an admin to set one up: gt mayor config --runtime claude|codex (or --command "<shell command>")',
      );
    const plan = await ledger.createBead(
      {
        title: planTitle(goal),
        description: goal,
        issue_type: 'decision',
        labels: newPlanLabels(rigs, formula),
        rig: null,
      },
      ctx.write(),
    );
    return { data: { plan: plan.id, state: 'queued', goal, rigs, formula } };
  },
  text: (r) =>
    `${r.plan}: the Mayor will plan this and stage it for review (nothing starts before a person launches it); see gt plan show ${r.plan}`,
});
