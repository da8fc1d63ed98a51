import { MongoClient } from 'mongodb';
import { MongoLedger } from '../../src/ledger/mongo/mongo-ledger.ts';
import type { LedgerFactory, LedgerFixture } from './harness.ts';

/**
 * Ledgers on a MongoDB-protocol server (FerretDB or MongoDB) for the contract suite and the
 * Mongo-specific tests: a fresh database per fixture, dropped (and every opened ledger closed)
 * at cleanup. `reopen` opens another ledger on the same database: a restart, or a second replica.
 */
let databases = 0;

export const freshDbName = (kind = 'contract') => `gt_${kind}_${process.pid}_${++databases}_${Date.now()}`;

export async function openMongoLedger(uri: string, dbName: string): Promise<MongoLedger> {
  const ledger = new MongoLedger(new MongoClient(uri, { serverSelectionTimeoutMS: 5000 }), dbName);
  await ledger.init();
  return ledger;
}

export interface MongoFixture extends LedgerFixture {
  ledger: MongoLedger;
  reopen(): Promise<MongoLedger>;
  dbName: string;
}

export async function mongoFixture(uri: string, kind = 'contract'): Promise<MongoFixture> {
  const dbName = freshDbName(kind);
  const opened: MongoLedger[] = [];
  const open = async () => {
    const ledger = await openMongoLedger(uri, dbName);
    opened.push(ledger);
    return ledger;
  };
  return {
    ledger: await open(),
    reopen: open,
    dbName,
    cleanup: async () => {
      for (const l of opened) await l.close();
      const admin = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
      try {
        await admin.db(dbName).dropDatabase();
      } finally {
        await admin.close();
      }
    },
  };
}

export function makeMongoLedgerFactory(uri: string): LedgerFactory {
  return () => mongoFixture(uri);
}
