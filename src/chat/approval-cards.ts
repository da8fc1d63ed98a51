import { approvalFacts, isApproval } from '../domain/approval.ts';
import type { Bead } from '../domain/bead.ts';
import type { Routing } from '../domain/routing.ts';
import type { Ledger } from '../ledger/port.ts';
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

  constructor(deps: ApprovalCardDeps) {
    this.d = deps;
  }

  async handle(request: Bead): Promise<void> {
    if (this.d.surfaces.length === 0 || !isApproval(request)) return;
    const f = approvalFacts(request);
    let edit = false;
    for (const surface of this.d.surfaces) {
      if (await this.d.store.get(surface.platform, 'approval', request.id)) {
        edit = true;
        continue;
      }
      if (f.decision !== null || request.status === 'closed') continue;
      const channel = queueChannel(this.d.routing, f.rig, surface.platform);
      if (!channel) continue;
      const claim = await this.d.store.claim(surface.platform, 'approval', request.id);
      if (!claim) {
        edit = true; // being posted by another delivery: edited once it is there
        continue;
      }
      try {
        const posted = await surface.postApproval(channel, await this.model(request));
        await this.d.store.put(surface.platform, 'approval', request.id, posted);
      } catch (err) {
        await claim.release();
        throw err;
      }
    }
    if (edit) this.editLater(request.id);
  }

  /** One edit per request for every platform, from the ledger's state then (the newest wins). */
  private editLater(id: string): void {
    this.d.throttle.schedule(`approval.${id}`, async () => {
      const request = await this.d.ledger.getBead(id);
      if (!request) return;
      const model = await this.model(request);
      const failed: unknown[] = [];
      for (const surface of this.d.surfaces) {
        const ref = await this.d.store.get(surface.platform, 'approval', id);
        if (ref) await surface.editApproval(ref, model).catch((err: unknown) => failed.push(err));
      }
      if (failed.length) throw failed[0];
    });
  }

  private async model(request: Bead): Promise<ApprovalCardModel> {
    const f = approvalFacts(request);
    return approvalCardModel(request, f.bead ? await this.d.ledger.getBead(f.bead) : null);
  }
}
