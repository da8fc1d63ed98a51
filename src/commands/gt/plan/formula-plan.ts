import { convoyLabel, newPlanLabels, parseGoal, planTitle, stateChange } from '../../../domain/plan.ts';
import type { Ledger, WriteContext } from '../../../ledger/port.ts';

/**
 * A formula a person ran without `--launch` is a plan like the Mayor's: a plan bead, ready at
 * once, linked to the staged convoy — so it gets the plan card (Launch, Revise…, Discard) and
 * `gt plan launch|revise|discard` work on it. The Mayor's own formula runs belong to its plan.
 */
export async function recordFormulaPlan(
  ledger: Ledger,
  run: { formula: string; vars: Record<string, string>; rig: string; convoy: string },
  write: WriteContext,
): Promise<string> {
  const vars = Object.entries(run.vars).map(([k, v]) => `${k}=${v}`);
  const goal = parseGoal(
    `Run formula ${run.formula}${vars.length ? ` with ${vars.join(', ')}` : ''}`.slice(0, 2_000),
  );
  const labels = newPlanLabels([run.rig], run.formula);
  const ready = stateChange(labels, 'ready');
  const plan = await ledger.createBead(
    {
      title: planTitle(goal),
      description: goal,
      issue_type: 'decision',
      labels: [
        ...labels.filter((l) => !ready.remove_labels.includes(l)),
        ...ready.add_labels,
        convoyLabel(run.convoy),
      ],
      rig: null,
    },
    write,
  );
  return plan.id;
}
