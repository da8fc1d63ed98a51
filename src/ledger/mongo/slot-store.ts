import type { Collection } from 'mongodb';
import type { HookBead } from '../../domain/polecat-signals.ts';
import type { Slot, SlotHook, WriteContext } from '../port.ts';
import type { BeadDoc } from './documents.ts';

type SlotDoc = Slot & { _id: string };

/**
 * Polecat slots: a slot is a document whose _id is `<rig>/<name>`, so taking one is a unique
 * insert — atomic on MongoDB and FerretDB alike — and two callers never get the same name.
 */
export class SlotStore {
  private readonly slots: Collection<SlotDoc>;
  private readonly beads: Collection<BeadDoc>;

  constructor(slots: Collection<SlotDoc>, beads: Collection<BeadDoc>) {
    this.slots = slots;
    this.beads = beads;
  }

  async take(
    rig: string,
    beadId: string,
    names: readonly string[],
    ctx: WriteContext,
  ): Promise<string | null> {
    for (const name of names) {
      try {
        await this.slots.insertOne({
          _id: `${rig}/${name}`,
          rig,
          name,
          bead_id: beadId,
          taken_at: ctx.now.toISOString(),
        });
        return name;
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
      }
    }
    return null;
  }

  /** Only while still held for `beadId` (the filter carries it). */
  async free(rig: string, name: string, beadId: string): Promise<boolean> {
    return (await this.slots.deleteOne({ _id: `${rig}/${name}`, bead_id: beadId })).deletedCount === 1;
  }

  async list(rig?: string): Promise<Slot[]> {
    const filter = rig === undefined ? {} : { rig };
    return (await this.slots.find(filter).sort({ rig: 1, name: 1 }).toArray()).map(
      ({ _id, ...slot }) => slot,
    );
  }

  /** Every slot of every rig with its bead's hook state: two reads (the witness's snapshot). */
  async hooks(): Promise<SlotHook[]> {
    const slots = await this.list();
    const ids = slots.map((s) => s.bead_id);
    const beads = new Map<string, HookBead>();
    const projection = { status: 1, assignee: 1, labels: 1, updated_at: 1 };
    for (const doc of await this.beads.find({ _id: { $in: ids } }, { projection }).toArray())
      beads.set(doc._id, {
        id: doc._id,
        status: doc.status,
        assignee: doc.assignee ?? null,
        labels: doc.labels,
        updated_at: doc.updated_at,
      });
    return slots.map((s) => ({ ...s, bead: beads.get(s.bead_id) ?? null }));
  }
}
