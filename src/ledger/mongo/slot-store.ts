import type { Collection } from 'mongodb';
import type { Slot, WriteContext } from '../port.ts';

type SlotDoc = Slot & { _id: string };

/**
 * Polecat slots: a slot is a document whose _id is `<rig>/<name>`, so taking one is a unique
 * insert — atomic on MongoDB and FerretDB alike — and two callers never get the same name.
 */
export class SlotStore {
  private readonly slots: Collection<SlotDoc>;

  constructor(slots: Collection<SlotDoc>) {
    this.slots = slots;
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
}
