import type { Collection } from 'mongodb';
import type { Nudge } from '../../domain/nudge.ts';

type NudgeDoc = Omit<Nudge, 'id'> & { _id: string };
const toNudge = ({ _id, ...rest }: NudgeDoc): Nudge => ({ id: _id, ...rest });

/**
 * Queued nudges on MongoDB. Taking is a delete per nudge: a nudge deleted by one caller is
 * returned to that caller only (deleteOne reports whether this call removed it).
 */
export class NudgeStore {
  private readonly nudges: Collection<NudgeDoc>;

  constructor(nudges: Collection<NudgeDoc>) {
    this.nudges = nudges;
  }

  async queue(n: Nudge, max: number): Promise<string[]> {
    const { id, ...fields } = n;
    await this.nudges.insertOne({ _id: id, ...fields });
    const excess = await this.nudges.find({ to: n.to }).sort({ created_at: -1, _id: -1 }).skip(max).toArray();
    for (const e of excess) await this.nudges.deleteOne({ _id: e._id });
    return excess.map((e) => e._id);
  }

  async take(to: string, now: Date): Promise<Nudge[]> {
    const taken: Nudge[] = [];
    for (const doc of await this.nudges.find({ to }).sort({ created_at: 1, _id: 1 }).toArray()) {
      const { deletedCount } = await this.nudges.deleteOne({ _id: doc._id });
      if (deletedCount === 1 && doc.expires_at > now.toISOString()) taken.push(toNudge(doc));
    }
    return taken;
  }
}
