import type { JsMsg } from '@nats-io/jetstream';
import { convoysTracking, trackedBeads } from '../commands/gt/convoy/tracked.ts';
import type { Actor } from '../domain/actor.ts';
import { compareReady } from '../domain/readiness.ts';
import type { Reply } from '../domain/reply.ts';
import { QUEUED_LABEL } from '../domain/sling.ts';
import { isDispatchable } from '../domain/stranded.ts';
import type { Ledger, LedgerEvent } from '../ledger/port.ts';
import { closeCompletedMolecule } from './molecule-closer.ts';

export type Execute = (verb: string, args: Record<string, unknown>) => Promise<Reply>;

export const FEEDER: Actor = { kind: 'system', id: 'convoy-feeder' };

/**
 * Event-driven convoy feeding: on every `bead_closed`, free the polecat slot it held, close what
 * of its formula run it finished (molecule-closer.ts), land each open convoy tracking it that is
 * now complete, and sling EVERY tracked bead that just became dispatchable (Gas Town releases
 * one per event and polls every 5–30 s, convoy.md §5.3), then the rig's queued beads into freed
 * slots. Every action goes through the command layer as the system actor, so it is authorized
 * and audited like any other; every action is idempotent, so a redelivered event or a second
 * replica changes nothing twice.
 */
export class ConvoyFeeder {
  private readonly ledger: Ledger;
  private readonly execute: Execute;
  /** Each dispatch a close caused, with the time since the close (gt_dispatch_latency_seconds). */
  private readonly onDispatched: (sinceCloseMs: number) => void;

  constructor(ledger: Ledger, execute: Execute, onDispatched: (sinceCloseMs: number) => void = () => {}) {
    this.ledger = ledger;
    this.execute = execute;
    this.onDispatched = onDispatched;
  }

  async handle(msg: JsMsg): Promise<void> {
    await this.onClosed(msg.json<LedgerEvent>());
  }

  async onClosed(event: LedgerEvent): Promise<void> {
    if (!event.bead_id) return;
    const bead = await this.ledger.getBead(event.bead_id);
    if (bead?.status !== 'closed') return; // reopened since: nothing to feed
    const rigs = new Map((await this.ledger.listRigs()).map((r) => [r.name, r]));
    if (bead.rig && bead.assignee?.startsWith(`${bead.rig}/`)) {
      await this.ledger.freeSlot(bead.rig, bead.assignee.slice(bead.rig.length + 1), bead.id);
    }
    // Before feeding: a container this close emptied closes here, so what waited on it (the
    // children of a container that needs it) is fed just below — the container's own close
    // feeds nothing, as no convoy tracks a container.
    await closeCompletedMolecule(this.ledger, this.execute, bead);
    for (const convoy of await convoysTracking(this.ledger, bead.id)) {
      const tracked = await trackedBeads(this.ledger, convoy.id);
      await this.execute('gt convoy check', { convoy: convoy.id });
      // A queued bead already waits its turn in its rig's queue (released below, in priority
      // order, when a slot of that rig frees): slinging it again would only queue it again.
      const ready = tracked
        .filter((b) => b.status !== 'closed' && !b.labels.includes(QUEUED_LABEL) && isDispatchable(b, rigs))
        .sort(compareReady);
      for (const next of ready) this.dispatched(event, await this.execute('gt sling', { id: next.id }));
    }
    if (bead.rig) await this.releaseQueue(bead.rig, event);
  }

  /** Queued beads of the rig, by priority then age, until the rig is full again. */
  private async releaseQueue(rig: string, cause: LedgerEvent): Promise<void> {
    const queued = (await this.ledger.listBeads({ rig, label: QUEUED_LABEL, status: ['open'] })).sort(
      compareReady,
    );
    for (const b of queued) {
      const reply = await this.execute('gt sling', { id: b.id });
      if (reply.ok && (reply.data as { status?: string }).status === 'queued') return;
      this.dispatched(cause, reply);
    }
  }

  private dispatched(cause: LedgerEvent, reply: Reply): void {
    // Only a fresh hook is a dispatch this close caused (not a queued or already-hooked bead).
    if (reply.ok && (reply.data as { status?: string }).status === 'hooked')
      this.onDispatched(Date.now() - Date.parse(cause.at));
  }
}
