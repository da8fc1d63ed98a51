import { convoysTracking, trackedBeads } from '../commands/gt/convoy/tracked.ts';
import type { Bead } from '../domain/bead.ts';
import { isHumanGate } from '../domain/human-gate.ts';
import type { Routing } from '../domain/routing.ts';
import type { Ledger } from '../ledger/port.ts';
import type { CardStore } from './card-store.ts';
import type { CardSurface } from './card-surface.ts';
import { type GateCardModel, gateCardModel } from './cards/gate-model.ts';
import { queueChannel } from './queue-cards.ts';
import type { Throttle } from './throttle.ts';

export interface GateCardDeps {
  ledger: Ledger;
  routing: Routing;
  surfaces: readonly CardSurface[];
  store: CardStore;
  throttle: Throttle;
}

/**
 * One card per human gate (CardStore kind `gate`, keyed by the gate's bead) in the channel of its
 * rig's merge-queue card (queueChannel): posted once the gate is ready — on any event of a bead
 * in a convoy, each open human gate the convoy tracks that is not blocked and has no card yet
 * gets one (the claim makes sure once, whatever the redeliveries and replicas) — with Approve;
 * edited in place, throttled, when the gate moves (closed: "Approved by …", no button).
 */
export class GateCards {
  private readonly d: GateCardDeps;

  constructor(deps: GateCardDeps) {
    this.d = deps;
  }

  /** A bead moved (or is a convoy that did): the gates of its convoys, and itself if a gate. */
  async handle(bead: Bead): Promise<void> {
    if (this.d.surfaces.length === 0) return;
    const convoys =
      bead.issue_type === 'convoy'
        ? [bead]
        : await convoysTracking(this.d.ledger, bead.id, ['open', 'closed']);
    const gates = new Map<string, Bead>();
    if (isHumanGate(bead)) gates.set(bead.id, bead);
    for (const convoy of convoys) {
      if (convoy.status !== 'open' && convoy.status !== 'closed') continue; // staged: not yet
      for (const b of await trackedBeads(this.d.ledger, convoy.id))
        if (isHumanGate(b) && !gates.has(b.id)) gates.set(b.id, b);
    }
    for (const gate of gates.values())
      await this.card(
        gate,
        convoys.some((c) => c.status === 'open'),
      );
  }

  private async card(gate: Bead, inOpenConvoy: boolean): Promise<void> {
    let edit = false;
    for (const surface of this.d.surfaces) {
      if (await this.d.store.get(surface.platform, 'gate', gate.id)) {
        edit = true;
        continue;
      }
      if (!inOpenConvoy || gate.status !== 'open' || gate.is_blocked || !gate.rig) continue;
      const channel = queueChannel(this.d.routing, gate.rig, surface.platform);
      if (!channel) continue;
      const claim = await this.d.store.claim(surface.platform, 'gate', gate.id);
      if (!claim) {
        edit = true; // being posted by another delivery: edited once it is there
        continue;
      }
      try {
        const posted = await surface.postGate(channel, await this.model(gate));
        await this.d.store.put(surface.platform, 'gate', gate.id, posted);
      } catch (err) {
        await claim.release();
        throw err;
      }
    }
    if (edit) this.editLater(gate.id);
  }

  /** One edit per gate for every platform, from the ledger's state then (the newest wins). */
  private editLater(id: string): void {
    this.d.throttle.schedule(`gate.${id}`, async () => {
      const gate = await this.d.ledger.getBead(id);
      if (!gate) return;
      const model = await this.model(gate);
      const failed: unknown[] = [];
      for (const surface of this.d.surfaces) {
        const ref = await this.d.store.get(surface.platform, 'gate', id);
        if (ref) await surface.editGate(ref, model).catch((err: unknown) => failed.push(err));
      }
      if (failed.length) throw failed[0];
    });
  }

  async model(gate: Bead): Promise<GateCardModel> {
    const ids = (await this.d.ledger.dependentsOf(gate.id))
      .filter((d) => d.type === 'blocks')
      .map((d) => d.issue_id);
    const dependents = ids.length
      ? (await this.d.ledger.listBeads({ ids, all: true })).sort((a, b) => a.id.localeCompare(b.id))
      : [];
    return gateCardModel(gate, dependents);
  }
}
