import type { Bead } from '../../../domain/bead.ts';
import { conflict, notFound, refused } from '../../../domain/errors.ts';
import { convoyLabel, isPlan, type PlanFacts, type PlanState, planFacts } from '../../../domain/plan.ts';
import { parseId } from '../../../domain/validation.ts';
import type { Ledger } from '../../../ledger/port.ts';

export interface PlanRecord {
  plan: Bead;
  facts: PlanFacts;
  /** The staged (or launched) convoy the Mayor made; null before its first round ends. */
  convoy: Bead | null;
}

/**
 * A plan by its own id or by its convoy's (what the card and the contract name): the plan bead,
 * what its labels say, and its convoy.
 */
export async function loadPlan(ledger: Ledger, raw: string): Promise<PlanRecord> {
  const id = parseId(raw);
  const bead = await ledger.getBead(id);
  if (!bead) throw notFound('plan', id);
  const plan = isPlan(bead) ? bead : await planOfConvoy(ledger, bead);
  const facts = planFacts(plan);
  const convoy = facts.convoy ? await ledger.getBead(facts.convoy) : null;
  return { plan, facts, convoy };
}

async function planOfConvoy(ledger: Ledger, bead: Bead): Promise<Bead> {
  if (bead.issue_type !== 'convoy')
    throw refused(
      'not_a_plan',
      `${bead.id} is neither a plan nor a plan's convoy; see gt plan show <convoy>`,
    );
  const [plan] = (await ledger.listBeads({ label: convoyLabel(bead.id), all: true })).filter(isPlan);
  if (!plan)
    throw refused(
      'not_a_plan',
      `convoy ${bead.id} was not planned by the Mayor; use gt convoy stage|launch|close ${bead.id}`,
    );
  return plan;
}

/** Refuses unless the plan is in one of `states`, saying what it is instead. */
export function requireState(r: PlanRecord, states: readonly PlanState[], doing: string): void {
  if (states.includes(r.facts.state)) return;
  const why: Record<PlanState, string> = {
    queued: 'it waits for the Mayor',
    planning: 'the Mayor is working on it',
    ready: 'it waits for a person',
    launched: `it was launched already (${r.plan.close_reason})`,
    discarded: `it was discarded (${r.plan.close_reason})`,
    failed: `it failed (${r.plan.close_reason})`,
  };
  throw conflict(
    `plan_${r.facts.state}`,
    `cannot ${doing} ${r.plan.id}: ${why[r.facts.state]}; see gt plan show ${r.plan.id}`,
  );
}

/** The card's compare-and-swap: a version given must be the convoy's (or the plan's) current one. */
export function requireVersion(r: PlanRecord, raw: string | undefined): void {
  if (raw === undefined) return;
  const current = r.convoy?.version ?? r.plan.version;
  if (Number(raw) !== current)
    throw conflict(
      'stale_version',
      `the plan changed since you saw it (version ${raw}, now ${current}); see gt plan show ${r.plan.id}`,
    );
}
