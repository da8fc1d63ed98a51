import type { Db } from 'mongodb';
import { COLLECTIONS } from './documents.ts';
import type { MongoMode } from './mode.ts';

interface LedgerMeta {
  _id: 'ledger';
  /** The mode whose event layout the database holds. */
  mode: MongoMode;
  /** mongodb mode: the last seq of the compat log it continues (0 on a database it started). */
  event_base: number;
}

/**
 * Which event layout the database holds, settled once at start. The modes keep events differently
 * (one document per event vs event pages), so a database remembers its mode:
 *  - compat → mongodb (e.g. a FerretDB ledger moved to MongoDB, or a MongoDB ledger written by an
 *    older version): `finishCompat` publishes what compat outboxes still hold, and the pages continue
 *    after the old log's last seq — relay marks stay valid. Run it with one replica (as any schema
 *    change): a compat replica still writing would log events behind the pages.
 *  - mongodb → compat is refused: compat cannot append to pages, and a server MongoDB wrote to
 *    does not need compat.
 */
export async function settleEventLayout(
  db: Db,
  mode: MongoMode,
  compat: { finish(): Promise<unknown>; lastSeq(): Promise<number> },
): Promise<{ base: number }> {
  const meta = db.collection<LedgerMeta>(COLLECTIONS.meta);
  const found = await meta.findOne({ _id: 'ledger' });
  if (mode === 'compat') {
    if (found?.mode === 'mongodb')
      throw new Error(
        'this MongoDB ledger was written in mongodb mode (event pages), which compat mode cannot continue; ' +
          'set GT_MONGO_MODE=mongodb (or auto) for it',
      );
    if (!found)
      await meta.updateOne({ _id: 'ledger' }, { $setOnInsert: { mode, event_base: 0 } }, { upsert: true });
    return { base: 0 };
  }
  if (found?.mode === 'mongodb') return { base: found.event_base };
  await compat.finish();
  const base = await compat.lastSeq();
  await meta.updateOne({ _id: 'ledger' }, { $set: { mode, event_base: base } }, { upsert: true });
  return { base };
}
