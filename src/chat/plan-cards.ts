import { convoysTracking } from '../commands/gt/convoy/tracked.ts';
import { viewPlan } from '../commands/gt/plan/show.ts';
import type { Bead } from '../domain/bead.ts';
import { convoyLabel, isPlan, planFacts } from '../domain/plan.ts';
import type { Routing } from '../domain/routing.ts';
import type { Ledger, LedgerEventType } from '../ledger/port.ts';
import { CardSlots } from './card-slots.ts';
import type { CardStore } from './card-store.ts';
import type { CardSurface } from './card-surface.ts';
import { type PlanCardModel, planCardModel } from './cards/plan-model.ts';
import type { Throttle } from './throttle.ts';

export interface PlanCardDeps {
  ledger: Ledger;
  routing: Routing;
  surfaces: readonly CardSurface[];
  store: CardStore;
  throttle: Throttle;
}

/** Changes of a bead a staged convoy tracks that change what its plan's card shows. */
const TRACKED_CHANGES: ReadonlySet<LedgerEventType> = new Set([
  'bead_updated',
  'bead_closed',
  'bead_reopened',
  'dependency_added',
  'dependency_removed',
]);
const STAGED = ['staged_ready', 'staged_warnings'];

/**
 * One card per plan (CardStore kind `plan`, keyed by the plan bead) in the convoys channel:
 * posted once when the plan is asked for ("the Mayor is planning…"; the claim makes sure once,
 * whatever the redeliveries and replicas), then edited in place, throttled, from the ledger's
 * state then — when the plan moves (a round starts or ends, it is revised, launched, discarded),
 * when its convoy does, and when a bead its staged convoy tracks changes.
 */
export class PlanCards {
  private readonly d: PlanCardDeps;
  private readonly slots: CardSlots<PlanCardModel>;

  constructor(deps: PlanCardDeps) {
    this.d = deps;
    this.slots = new CardSlots(deps, {
      kind: 'plan',
      post: (surface, channel, m) => surface.postPlan(channel, m),
      edit: (surface, ref, m) => surface.editPlan(ref, m),
    });
  }

  async handle(bead: Bead, type: LedgerEventType): Promise<void> {
    if (!this.slots.active) return;
    if (isPlan(bead)) return this.card(bead);
    if (bead.issue_type === 'convoy') {
      // A closed plan's card says why it closed; what its convoy does next is the convoy card's.
      const plan = await this.planOf(bead.id);
      if (plan && plan.status !== 'closed') await this.card(plan);
      return;
    }
    if (!TRACKED_CHANGES.has(type)) return;
    for (const convoy of await convoysTracking(this.d.ledger, bead.id, STAGED)) {
      const plan = await this.planOf(convoy.id);
      if (plan && plan.status !== 'closed') await this.card(plan);
    }
  }

  /** Redraws a plan's card from the ledger (a click found it out of date). */
  redraw(planId: string): void {
    this.slots.editLater(planId, () => this.load(planId));
  }

  private async planOf(convoyId: string): Promise<Bead | null> {
    const [plan] = (await this.d.ledger.listBeads({ label: convoyLabel(convoyId), all: true })).filter(
      isPlan,
    );
    return plan ?? null;
  }

  /** Posted in the convoys channel while the plan is open (one closed before we saw it gets none). */
  private card(plan: Bead): Promise<void> {
    return this.slots.show(
      plan.id,
      (platform) => (plan.status === 'closed' ? null : this.d.routing.convoys[platform]),
      () => this.load(plan.id),
    );
  }

  private async load(id: string): Promise<PlanCardModel | null> {
    const plan = await this.d.ledger.getBead(id);
    return plan && isPlan(plan) ? this.model(plan) : null;
  }

  async model(plan: Bead): Promise<PlanCardModel> {
    const facts = planFacts(plan);
    const convoy = facts.convoy ? await this.d.ledger.getBead(facts.convoy) : null;
    return planCardModel(await viewPlan(this.d.ledger, { plan, facts, convoy }));
  }
}
