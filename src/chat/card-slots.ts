import type { CardKind } from '../domain/chat-card.ts';
import type { Platform } from '../domain/policy.ts';
import type { CardRef, CardStore } from './card-store.ts';
import type { CardSurface } from './card-surface.ts';
import type { Throttle } from './throttle.ts';

/** How one kind of card is drawn on a surface (post a new message, edit it in place). */
export interface CardDrawing<M> {
  kind: CardKind;
  post(surface: CardSurface, channel: string, model: M): Promise<CardRef>;
  edit(surface: CardSurface, ref: CardRef, model: M): Promise<void>;
}

export interface CardSlotDeps {
  surfaces: readonly CardSurface[];
  store: CardStore;
  throttle: Throttle;
}

/**
 * One card per object (a gate, a plan, a permission request…) on every platform: posted once —
 * the store's claim makes sure of it, whatever the redeliveries and replicas — and then edited in
 * place, throttled, from the ledger's state at the time of the edit (the newest state wins).
 */
export class CardSlots<M> {
  private readonly d: CardSlotDeps;
  private readonly drawing: CardDrawing<M>;

  constructor(deps: CardSlotDeps, drawing: CardDrawing<M>) {
    this.d = deps;
    this.drawing = drawing;
  }

  get active(): boolean {
    return this.d.surfaces.length > 0;
  }

  /**
   * Posts `id`'s card where it has none and `channelOf` names a channel (null: not now, or not
   * there), drawing `load()`; where it has one (or another delivery is posting it), edits it.
   */
  async show(
    id: string,
    channelOf: (p: Platform) => string | null,
    load: () => Promise<M | null>,
  ): Promise<void> {
    let edit = false;
    for (const surface of this.d.surfaces) {
      if (await this.d.store.get(surface.platform, this.drawing.kind, id)) {
        edit = true;
        continue;
      }
      const channel = channelOf(surface.platform);
      if (!channel) continue;
      const claim = await this.d.store.claim(surface.platform, this.drawing.kind, id);
      if (!claim) {
        edit = true; // being posted by another delivery: edited once it is there
        continue;
      }
      try {
        const model = await load();
        if (!model) {
          await claim.release();
          continue;
        }
        await this.d.store.put(
          surface.platform,
          this.drawing.kind,
          id,
          await this.drawing.post(surface, channel, model),
        );
      } catch (err) {
        await claim.release();
        throw err;
      }
    }
    if (edit) this.editLater(id, load);
  }

  /** One edit of `id`'s card for every platform where it is posted, from `load()` then (null: leave it). */
  editLater(id: string, load: () => Promise<M | null>): void {
    if (!this.active) return;
    this.d.throttle.schedule(`${this.drawing.kind}.${id}`, async () => {
      const model = await load();
      if (!model) return;
      const failed: unknown[] = [];
      for (const surface of this.d.surfaces) {
        const ref = await this.d.store.get(surface.platform, this.drawing.kind, id);
        if (ref) await this.drawing.edit(surface, ref, model).catch((err: unknown) => failed.push(err));
      }
      if (failed.length) throw failed[0];
    });
  }
}
