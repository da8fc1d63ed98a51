import { convoySpend } from '../commands/gt/convoy/budget-watch.ts';
import { trackedBeads } from '../commands/gt/convoy/tracked.ts';
import type { Bead } from '../domain/bead.ts';
import { budgetOf, type ConvoyBudget, thresholdLine } from '../domain/budget.ts';
import type { Routing } from '../domain/routing.ts';
import type { Ledger } from '../ledger/port.ts';
import type { CardStore } from './card-store.ts';
import type { CardSurface } from './card-surface.ts';
import { type BudgetCardModel, budgetCardModel } from './cards/budget-model.ts';
import type { Throttle } from './throttle.ts';

export interface BudgetCardDeps {
  ledger: Ledger;
  routing: Routing;
  surfaces: readonly CardSurface[];
  store: CardStore;
  throttle: Throttle;
}

/**
 * What chat says of a convoy's budget, from the convoy's own events (its labels move by
 * compare-and-swap as the spend crosses a threshold, convoy/budget-watch.ts):
 *  - a line in the thread of the convoy's card when it reaches 80 % and when it is used up —
 *    once per threshold and budget (CardStore kind `budget`, claims `<convoy>.<state>.<micros>`,
 *    whatever the redeliveries and replicas);
 *  - a card in the convoys channel when it is used up, with Extend by $X and Stop — posted once
 *    per budget (claim `<convoy>.<micros>`; an extended convoy used up again gets a new card),
 *    the newest kept under the convoy's id and edited in place, throttled, as the convoy moves
 *    (extended, stopped, closed) or when a refused click asks for it.
 */
export class BudgetCards {
  private readonly d: BudgetCardDeps;

  constructor(deps: BudgetCardDeps) {
    this.d = deps;
  }

  async handle(convoy: Bead): Promise<void> {
    if (this.d.surfaces.length === 0 || convoy.issue_type !== 'convoy') return;
    const budget = budgetOf(convoy);
    if (!budget) return;
    const spent = await convoySpend(this.d.ledger, convoy.id);
    // Every threshold of this budget it is past gets its line, in order: chat may see the state
    // late (queued posts), when it is already past both.
    if (convoy.status === 'open' && (budget.state === 'warned' || budget.state === 'exhausted'))
      await this.line(convoy, 'warned', budget, spent);
    if (convoy.status === 'open' && budget.state === 'exhausted')
      await this.line(convoy, 'exhausted', budget, spent);
    await this.card(convoy, budget, spent);
  }

  /** Redraws a convoy's budget card from the ledger (a click found it out of date). */
  redraw(convoyId: string): void {
    if (this.d.surfaces.length > 0) this.editLater(convoyId);
  }

  private async line(
    convoy: Bead,
    threshold: 'warned' | 'exhausted',
    b: ConvoyBudget,
    spent: number,
  ): Promise<void> {
    const key = `${convoy.id}.${threshold}.${b.total}`;
    for (const surface of this.d.surfaces) {
      const ref = await this.d.store.get(surface.platform, 'convoy', convoy.id);
      if (!ref) continue; // no convoy card to speak under
      const claim = await this.d.store.claim(surface.platform, 'budget', key);
      if (!claim) continue;
      try {
        const changed = await surface.reply(ref, thresholdLine(convoy.id, threshold, b, spent));
        if (changed) await this.d.store.put(surface.platform, 'convoy', convoy.id, changed);
      } catch (err) {
        await claim.release();
        throw err;
      }
    }
  }

  private async card(convoy: Bead, b: ConvoyBudget, spent: number): Promise<void> {
    const due = convoy.status === 'open' && (b.state === 'exhausted' || b.state === 'stopped');
    let edit = false;
    for (const surface of this.d.surfaces) {
      const ref = await this.d.store.get(surface.platform, 'budget', convoy.id);
      const channel = this.d.routing.convoys[surface.platform];
      const claim =
        due && channel
          ? await this.d.store.claim(surface.platform, 'budget', `${convoy.id}.${b.total}`)
          : null;
      if (!claim) {
        edit ||= ref !== null || due; // posted before, or being posted by another delivery
        continue;
      }
      try {
        // The card of the budget before (extended since) gets its last drawing before the new
        // card takes its place: later edits go to the new one.
        if (ref) await surface.editBudget(ref, await this.model(convoy, b, spent, ref.level));
        const posted = await surface.postBudget(channel as string, await this.model(convoy, b, spent));
        await this.d.store.put(surface.platform, 'budget', convoy.id, { ...posted, level: b.total });
      } catch (err) {
        await claim.release();
        throw err;
      }
    }
    if (edit) this.editLater(convoy.id);
  }

  /** One edit per convoy for every platform, from the ledger's state then (the newest wins). */
  private editLater(id: string): void {
    this.d.throttle.schedule(`budget.${id}`, async () => {
      const convoy = await this.d.ledger.getBead(id);
      const budget = convoy && budgetOf(convoy);
      if (!convoy || !budget) return;
      const spent = await convoySpend(this.d.ledger, id);
      const failed: unknown[] = [];
      for (const surface of this.d.surfaces) {
        const ref = await this.d.store.get(surface.platform, 'budget', id);
        if (!ref) continue;
        const model = await this.model(convoy, budget, spent, ref.level);
        await surface.editBudget(ref, model).catch((err: unknown) => failed.push(err));
      }
      if (failed.length) throw failed[0];
    });
  }

  private async model(
    convoy: Bead,
    b: ConvoyBudget,
    spent: number,
    level?: number,
  ): Promise<BudgetCardModel> {
    const running = (await trackedBeads(this.d.ledger, convoy.id)).filter(
      (t) => t.status === 'hooked' || t.status === 'in_progress',
    ).length;
    return budgetCardModel(convoy, b, spent, running, level ?? b.total);
  }
}
