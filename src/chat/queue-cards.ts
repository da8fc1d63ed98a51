import { convoysTracking } from '../commands/gt/convoy/tracked.ts';
import type { GateProgress } from '../domain/gate-progress.ts';
import { DEFAULT_MAX_WAIT_MS } from '../domain/merge-batch.ts';
import { type MergeRequest, OPEN_MR_STATUSES } from '../domain/merge-request.ts';
import type { Platform } from '../domain/policy.ts';
import { type Routing, routeFor } from '../domain/routing.ts';
import { convoysOfMrs } from '../ledger/convoy-lanes.ts';
import type { Ledger, LedgerEvent } from '../ledger/port.ts';
import type { CardStore } from './card-store.ts';
import type { CardSurface } from './card-surface.ts';
import { oneLine, type QueueCardModel, queueCardModel, RECENT_MERGED } from './cards/queue-model.ts';
import type { Throttle } from './throttle.ts';

/** The ledger events that move a rig's merge-queue card. */
export const QUEUE_EVENTS: ReadonlySet<string> = new Set([
  'mr_submitted',
  'mr_updated',
  'rig_frozen',
  'rig_thawed',
]);

/** How long a posted thread line is remembered, so a redelivered event does not post it again. */
const LINE_MEMORY_MS = 24 * 3600_000;

export interface QueueCardDeps {
  ledger: Ledger;
  routing: Routing;
  surfaces: readonly CardSurface[];
  store: CardStore;
  throttle: Throttle;
  /** GT_MQ_MAX_WAIT, so the card's positions are the ones `gt mq list` shows. */
  maxWaitMs?: number;
  now?: () => Date;
}

/**
 * The channel of a rig's merge-queue card: the policy file has no per-rig channels, so it is the
 * channel the rig's merge-failed escalations (severity high) are routed to — where the people
 * who decide on its failures already look. No route, no card on that platform.
 */
export function queueChannel(routing: Routing, rig: string, platform: Platform): string | null {
  return routeFor(routing, rig, 'high')?.channel[platform] ?? null;
}

/**
 * One living merge-queue card per rig and platform (CardStore kind `mq`, keyed by rig): posted on
 * the rig's first queue event (the claim makes sure once, whatever the redeliveries and
 * replicas), then edited in place, throttled, from the ledger's state at that moment. An MR that
 * lands or fails is told in the thread of its bead's convoy card, never in the channel.
 */
export class QueueCards {
  private readonly d: QueueCardDeps;

  constructor(deps: QueueCardDeps) {
    this.d = deps;
  }

  /** The gate each rig's queue runs now, as last told (the card's verifying line shows it). */
  private readonly gates = new Map<string, GateProgress>();

  /** A gate started: the rig's card says which (if it has a card; edits are throttled). */
  progress(p: GateProgress): void {
    this.gates.set(p.rig, p);
    if (this.d.surfaces.length > 0) this.editLater(p.rig);
  }

  async handle(event: LedgerEvent): Promise<void> {
    if (!event.rig || !QUEUE_EVENTS.has(event.type)) return;
    await this.card(event.rig);
    if (event.type === 'mr_updated') await this.threadLine(event);
  }

  private async card(rig: string): Promise<void> {
    let edit = false;
    for (const surface of this.d.surfaces) {
      if (await this.d.store.get(surface.platform, 'mq', rig)) {
        edit = true;
        continue;
      }
      const channel = queueChannel(this.d.routing, rig, surface.platform);
      if (!channel) continue;
      const claim = await this.d.store.claim(surface.platform, 'mq', rig);
      if (!claim) {
        edit = true; // being posted by another delivery: edited once it is there
        continue;
      }
      try {
        const posted = await surface.postQueue(channel, await this.model(rig));
        await this.d.store.put(surface.platform, 'mq', rig, posted);
      } catch (err) {
        await claim.release();
        throw err;
      }
    }
    if (edit) this.editLater(rig);
  }

  /** One edit per rig for every platform, with one read of the ledger (the newest state wins). */
  private editLater(rig: string): void {
    this.d.throttle.schedule(`mq.${rig}`, async () => {
      const model = await this.model(rig);
      const failed: unknown[] = [];
      for (const surface of this.d.surfaces) {
        const ref = await this.d.store.get(surface.platform, 'mq', rig);
        if (ref) await surface.editQueue(ref, model).catch((err: unknown) => failed.push(err));
      }
      if (failed.length) throw failed[0];
    });
  }

  async model(rig: string): Promise<QueueCardModel> {
    const ledger = this.d.ledger;
    const [open, merged, record] = await Promise.all([
      ledger.listMergeRequests({ rig, status: OPEN_MR_STATUSES }),
      // Only the last landings (newest first; the model orders them itself), not the rig's history.
      ledger.listMergeRequests({ rig, status: ['merged'], newest: RECENT_MERGED }),
      ledger.getRig(rig),
    ]);
    const queued = open.filter((m) => m.status === 'queued');
    return queueCardModel({
      rig,
      open,
      merged,
      frozen: record?.mq_frozen ?? null,
      gate: this.gates.get(rig) ?? null,
      lanes: {
        now: (this.d.now ?? (() => new Date()))(),
        maxWaitMs: this.d.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
        convoyOf: await convoysOfMrs(ledger, queued),
      },
    });
  }

  /** "✓ landed" / "✗ sent back" under the convoy card of the MR's bead, once per event. */
  private async threadLine(event: LedgerEvent): Promise<void> {
    const to = String(event.data.to ?? '');
    if (!['merged', 'needs-rework', 'held'].includes(to)) return;
    const mr = await this.d.ledger.getMergeRequest(String(event.data.mr_id ?? ''));
    if (!mr?.bead_id) return;
    const line = lineOf(mr, to, String(event.data.reason ?? mr.reason));
    for (const convoy of await convoysTracking(this.d.ledger, mr.bead_id, ['open', 'closed'])) {
      for (const surface of this.d.surfaces) {
        const ref = await this.d.store.get(surface.platform, 'convoy', convoy.id);
        if (!ref) continue;
        const key = `chat:mq-line:${surface.platform}:${convoy.id}:${event.seq}`;
        if (!(await this.d.ledger.recordIdempotencyKey(key, new Date(Date.now() + LINE_MEMORY_MS)))) continue;
        const changed = await surface.reply(ref, line);
        if (changed) await this.d.store.put(surface.platform, 'convoy', convoy.id, changed);
      }
    }
  }
}

/** Plain text (the surface makes it inert): what happened to the MR, with its short SHA or why. */
export function lineOf(mr: MergeRequest, to: string, reason: string): string {
  const what = `${mr.id} ${mr.branch}${mr.bead_id ? ` (${mr.bead_id})` : ''}`;
  if (to === 'merged') return `✓ ${what} landed on ${mr.target} at ${(mr.merge_commit ?? '').slice(0, 8)}`;
  const why = oneLine(reason) || 'no reason given';
  return to === 'held' ? `⏸ ${what} held: ${why}` : `✗ ${what} sent back for rework: ${why}`;
}
