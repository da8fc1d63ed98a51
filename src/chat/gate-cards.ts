import { convoysTracking, trackedBeads } from '../commands/gt/convoy/tracked.ts';
import type { Bead } from '../domain/bead.ts';
import { isHumanGate } from '../domain/human-gate.ts';
import type { Routing } from '../domain/routing.ts';
import type { Ledger } from '../ledger/port.ts';
import { CardSlots } from './card-slots.ts';
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
  private readonly slots: CardSlots<GateCardModel>;

  constructor(deps: GateCardDeps) {
    this.d = deps;
    this.slots = new CardSlots(deps, {
      kind: 'gate',
      post: (surface, channel, m) => surface.postGate(channel, m),
      edit: (surface, ref, m) => surface.editGate(ref, m),
    });
  }

  /** A bead moved (or is a convoy that did): the gates of its convoys, and itself if a gate. */
  async handle(bead: Bead): Promise<void> {
    if (!this.slots.active) return;
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
    const inOpenConvoy = convoys.some((c) => c.status === 'open');
    for (const gate of gates.values()) {
      // Posted once ready — its work done, in an open convoy — in its rig's merge-queue channel.
      const ready = inOpenConvoy && gate.status === 'open' && !gate.is_blocked && gate.rig !== null;
      await this.slots.show(
        gate.id,
        (platform) => (ready ? queueChannel(this.d.routing, gate.rig as string, platform) : null),
        () => this.load(gate.id),
      );
    }
  }

  private async load(id: string): Promise<GateCardModel | null> {
    const gate = await this.d.ledger.getBead(id);
    return gate ? this.model(gate) : null;
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
