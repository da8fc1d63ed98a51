import type { JsMsg } from '@nats-io/jetstream';
import { convoyProgress } from '../commands/gt/convoy/progress.ts';
import { convoysTracking } from '../commands/gt/convoy/tracked.ts';
import { isApproval } from '../domain/approval.ts';
import type { Bead } from '../domain/bead.ts';
import { escalationView } from '../domain/escalation.ts';
import type { GateProgress } from '../domain/gate-progress.ts';
import { type Routing, routeFor } from '../domain/routing.ts';
import type { Ledger, LedgerEvent } from '../ledger/port.ts';
import { ApprovalCards } from './approval-cards.ts';
import { BudgetCards } from './budget-cards.ts';
import type { CardStore } from './card-store.ts';
import type { CardSurface } from './card-surface.ts';
import { escalationCardModel } from './cards/escalation-model.ts';
import { GateCards } from './gate-cards.ts';
import { PlanCards } from './plan-cards.ts';
import { QUEUE_EVENTS, QueueCards } from './queue-cards.ts';
import type { Throttle } from './throttle.ts';

export interface NotifierDeps {
  ledger: Ledger;
  routing: Routing;
  surfaces: readonly CardSurface[];
  store: CardStore;
  /** Edits of one card at most every ~2 s; the newest state wins. */
  throttle: Throttle;
  /** GT_MQ_MAX_WAIT (merge-queue cards order the queue as `gt mq list` does). */
  mqMaxWaitMs?: number;
}

/** Changes of a tracked bead that move its convoy's card. */
const MOVES = new Set([
  'bead_claimed',
  'bead_closed',
  'bead_reopened',
  'bead_status_changed',
  'dependency_added',
  'dependency_removed',
]);

/**
 * Keeps chat in step with the ledger, from its event stream (issue 6 items 3 and 4): a new
 * escalation is pinged — a new message in the channel its rig and severity route to, mentioning
 * on-call — and its card is rewritten as it is acknowledged, decided or retires itself; a
 * re-escalation pings again. A convoy gets one card, posted when it opens and edited in place as
 * its beads move, with quiet details in the card's thread, until it shows "landed". A rig's merge
 * queue gets one living card too (queue-cards.ts), and so does each plan (plan-cards.ts).
 */
export class ChatNotifier {
  private readonly d: NotifierDeps;
  private readonly queue: QueueCards;
  private readonly gates: GateCards;
  private readonly plans: PlanCards;
  private readonly approvals: ApprovalCards;
  private readonly budgets: BudgetCards;

  constructor(deps: NotifierDeps) {
    this.d = deps;
    this.queue = new QueueCards({
      ...deps,
      ...(deps.mqMaxWaitMs !== undefined && { maxWaitMs: deps.mqMaxWaitMs }),
    });
    this.gates = new GateCards(deps);
    this.plans = new PlanCards(deps);
    this.approvals = new ApprovalCards(deps);
    this.budgets = new BudgetCards(deps);
  }

  /** A click on a plan's card was refused as out of date: redraw it from the ledger. */
  redrawPlan(id: string): void {
    this.plans.redraw(id);
  }

  /** A click on a convoy's budget card was refused as out of date: redraw it from the ledger. */
  redrawBudget(convoyId: string): void {
    this.budgets.redraw(convoyId);
  }

  /** The gate a rig's queue runs now (NATS core, from the refinery): its card shows it. */
  progress(p: GateProgress): void {
    this.queue.progress(p);
  }

  async handle(msg: JsMsg): Promise<void> {
    const event = msg.json<LedgerEvent>();
    if (QUEUE_EVENTS.has(event.type)) return this.queue.handle(event);
    if (!event.bead_id) return;
    const bead = await this.d.ledger.getBead(event.bead_id);
    if (!bead) return;
    if (bead.issue_type === 'escalation') return this.escalation(bead);
    if (isApproval(bead)) return this.approvals.handle(bead); // an agent's permission request
    await this.plans.handle(bead, event.type); // a plan, its convoy, or what the convoy tracks moved
    await this.gates.handle(bead); // a human gate that became ready gets its card with Approve
    if (bead.issue_type === 'convoy') {
      await this.convoy(bead);
      return this.budgets.handle(bead); // its budget's lines (under the card just posted) and card
    }
    if (!MOVES.has(event.type)) return;
    for (const convoy of await convoysTracking(this.d.ledger, bead.id, ['open', 'closed'])) {
      await this.convoy(convoy);
      await this.detail(convoy.id, event, bead);
    }
  }

  private async escalation(e: Bead): Promise<void> {
    const view = escalationView(e);
    for (const surface of this.d.surfaces) {
      const ref = await this.d.store.get(surface.platform, 'esc', e.id);
      const bumped = ref !== null && view.reescalations > (ref.reescalations ?? 0);
      if (ref && !bumped) {
        this.editLater(surface, 'esc', e.id);
        continue;
      }
      if (e.status === 'closed') continue; // never pinged: nothing to say any more
      const route = routeFor(this.d.routing, await this.rigOf(e), view.severity);
      const channel = route?.channel[surface.platform];
      if (!channel) continue;
      const claim = bumped
        ? { release: async () => {} }
        : await this.d.store.claim(surface.platform, 'esc', e.id);
      if (!claim) continue;
      try {
        const posted = await surface.postEscalation(
          channel,
          escalationCardModel(e),
          route.mention[surface.platform],
        );
        await this.d.store.put(surface.platform, 'esc', e.id, {
          ...posted,
          reescalations: view.reescalations,
        });
      } catch (err) {
        await claim.release();
        throw err;
      }
    }
  }

  private async convoy(convoy: Bead): Promise<void> {
    if (convoy.status !== 'open' && convoy.status !== 'closed') return; // staged: no card until launched
    for (const surface of this.d.surfaces) {
      const ref = await this.d.store.get(surface.platform, 'convoy', convoy.id);
      if (ref) {
        this.editLater(surface, 'convoy', convoy.id);
        continue;
      }
      const channel = this.d.routing.convoys[surface.platform];
      if (!channel || convoy.status === 'closed') continue;
      const claim = await this.d.store.claim(surface.platform, 'convoy', convoy.id);
      if (!claim) continue;
      try {
        const posted = await surface.postConvoy(channel, await convoyProgress(this.d.ledger, convoy));
        await this.d.store.put(surface.platform, 'convoy', convoy.id, posted);
      } catch (err) {
        await claim.release();
        throw err;
      }
    }
  }

  /** A line in the card's thread for each move of a tracked bead (no broadcast). */
  private async detail(convoyId: string, event: LedgerEvent, bead: Bead): Promise<void> {
    const line =
      event.type === 'bead_closed'
        ? `✓ ${bead.id} ${bead.title} closed by ${event.actor}${bead.close_reason ? `: ${bead.close_reason}` : ''}`
        : event.type === 'bead_claimed' && bead.assignee
          ? `▶ ${bead.id} ${bead.title} → ${bead.assignee}`
          : null;
    if (!line) return;
    for (const surface of this.d.surfaces) {
      const ref = await this.d.store.get(surface.platform, 'convoy', convoyId);
      const changed = ref ? await surface.reply(ref, line) : null;
      if (changed) await this.d.store.put(surface.platform, 'convoy', convoyId, changed);
    }
  }

  private editLater(surface: CardSurface, kind: 'esc' | 'convoy', id: string): void {
    this.d.throttle.schedule(`${surface.platform}.${kind}.${id}`, async () => {
      const ref = await this.d.store.get(surface.platform, kind, id);
      const bead = await this.d.ledger.getBead(id);
      if (!ref || !bead) return;
      if (kind === 'esc') await surface.editEscalation(ref, escalationCardModel(bead));
      else await surface.editConvoy(ref, await convoyProgress(this.d.ledger, bead));
    });
  }

  /** An escalation routes by its bead's rig, else its agent's. */
  private async rigOf(e: Bead): Promise<string | null> {
    const v = escalationView(e);
    const bead = v.bead_id ? await this.d.ledger.getBead(v.bead_id) : null;
    return bead?.rig ?? v.agent?.split('/')[0] ?? null;
  }
}
