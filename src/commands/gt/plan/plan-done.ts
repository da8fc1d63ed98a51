import type { Bead } from '../../../domain/bead.ts';
import { planFacts } from '../../../domain/plan.ts';
import type { CommandContext } from '../../command.ts';
import { failRound, finishRound } from './round.ts';

/** What `gt done` answers the Mayor (the same shape as a polecat's, nothing to land). */
export interface PlanDone {
  id: string;
  agent: string;
  exit: 'completed' | 'escalated' | 'deferred';
  status: string;
  branch: null;
  commit: null;
  mr: null;
  landed: null;
}

/**
 * `gt done` on a plan: completed hands the staged convoy to a person (refused, saying what to
 * do, while nothing or too much is staged — the Mayor can still fix it); escalated or deferred
 * is the Mayor giving up, which ends the round as failed.
 */
export async function planDone(
  ctx: CommandContext,
  plan: Bead,
  agent: string,
  exit: PlanDone['exit'],
): Promise<PlanDone> {
  const ledger = ctx.services.ledger;
  const facts = planFacts(plan);
  const record = { plan, facts, convoy: facts.convoy ? await ledger.getBead(facts.convoy) : null };
  const write = ctx.write();
  const after =
    exit === 'completed'
      ? await finishRound(ledger, record, write)
      : await failRound(ledger, record, `the Mayor gave up (gt done --status ${exit})`, write);
  return {
    id: plan.id,
    agent,
    exit,
    status: after.status,
    branch: null,
    commit: null,
    mr: null,
    landed: null,
  };
}
