import type { Collection, ObjectId } from 'mongodb';
import type { AuditRecord } from '../port.ts';

type AuditDoc = AuditRecord & { _id?: ObjectId };
type KeyDoc = { _id: string; expires_at: Date };

/** The audit trail and idempotency keys: plain inserts, no events. */
export class Records {
  private readonly audit: Collection<AuditDoc>;
  private readonly keys: Collection<KeyDoc>;

  constructor(audit: Collection<AuditDoc>, keys: Collection<KeyDoc>) {
    this.audit = audit;
    this.keys = keys;
  }

  async appendAudit(record: AuditRecord): Promise<void> {
    await this.audit.insertOne({ ...record });
  }

  /** Newest first: ObjectIds grow with insertion time (ties broken by the driver's counter). */
  async listAudit(limit: number): Promise<AuditRecord[]> {
    const docs = await this.audit.find({}).sort({ _id: -1 }).limit(limit).toArray();
    return docs.map(({ _id, ...record }) => record);
  }

  /**
   * The unique `_id` decides who saw the key first. An expired key counts as absent whether or not
   * the TTL index (MongoDB) or the upkeep prune (FerretDB) has removed it yet.
   */
  async recordIdempotencyKey(key: string, expiresAt: Date): Promise<boolean> {
    await this.keys.deleteOne({ _id: key, expires_at: { $lte: new Date() } });
    try {
      await this.keys.insertOne({ _id: key, expires_at: expiresAt });
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return false;
      throw err;
    }
  }
}
