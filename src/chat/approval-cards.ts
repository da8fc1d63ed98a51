import { approvalFacts, isApproval } from '../domain/approval.ts';
import type { Bead } from '../domain/bead.ts';
import type { Routing } from '../domain/routing.ts';
import type { Ledger } from '../ledger/port.ts';
import { CardSlots } from './card-slots.ts';
import type { CardStore } from './card-store.ts';
import type { CardSurface } from './card-surface.ts';
import { type ApprovalCardModel, approvalCardModel } from './cards/approval-model.ts';
import { queueChannel } from './queue-cards.ts';
import type { Throttle } from './throttle.ts';

export interface ApprovalCardDeps {
  ledger: Ledger;
  routing: Routing;
  surfaces: readonly CardSurface[];
  store: CardStore;
  throttle: Throttle;
}

/**
 * One card per permission request (CardStore kind `approval`, keyed by the request's bead) in its
 * rig's channel — where the rig's escalations and merge queue are (queueChannel) — posted when
 * the request is recorded (the claim makes sure once, whatever the redeliveries and replicas),
 * with Allow once, Always allow for rig R and Deny; edited in place, throttled, when it is
 * decided or times out (who and why, no buttons). A request decided before its card was posted
 * gets none: there is nothing left to ask.
 */
export class ApprovalCards {
  private readonly d: ApprovalCardDeps;
  private readonly slots: CardSlots<ApprovalCardModel>;

  constructor(deps: ApprovalCardDeps) {
    this.d = deps;
    this.slots = new CardSlots(deps, {
      kind: 'approval',
      post: (surface, channel, m) => surface.postApproval(channel, m),
      edit: (surface, ref, m) => surface.editApproval(ref, m),
    });
  }

  async handle(request: Bead): Promise<void> {
    if (!this.slots.active || !isApproval(request)) return;
    const f = approvalFacts(request);
    const open = f.decision === null && request.status !== 'closed';
    await this.slots.show(
      request.id,
      (platform) => (open ? queueChannel(this.d.routing, f.rig, platform) : null),
      () => this.load(request.id),
    );
  }

  private async load(id: string): Promise<ApprovalCardModel | null> {
    const request = await this.d.ledger.getBead(id);
    return request ? this.model(request) : null;
  }

  private async model(request: Bead): Promise<ApprovalCardModel> {
    const f = approvalFacts(request);
    return approvalCardModel(request, f.bead ? await this.d.ledger.getBead(f.bead) : null);
  }
}
