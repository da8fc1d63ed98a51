import { MongoClient } from 'mongodb';
import type { MongoMode, MongoModeSetting } from '../../src/ledger/mongo/mode.ts';
import { MongoLedger } from '../../src/ledger/mongo/mongo-ledger.ts';
import type { LedgerFactory, LedgerFixture } from './harness.ts';

/**
 * Ledgers on a MongoDB-protocol server (FerretDB or MongoDB) for the contract suite and the
 * Mongo-specific tests: a fresh database per fixture, dropped (and every opened ledger closed)
 * at cleanup. `reopen` opens another ledger on the same database: a restart, or a second replica.
 */
let databases = 0;

export const freshDbName = (kind = 'contract') => `gt_${kind}_${process.pid}_${++databases}_${Date.now()}`;

export async function openMongoLedger(
  uri: string,
  dbName: string,
  mode: MongoModeSetting = 'auto',
): Promise<MongoLedger> {
  const ledger = new MongoLedger(new MongoClient(uri, { serverSelectionTimeoutMS: 5000 }), dbName, { mode });
  await ledger.init();
  return ledger;
}

export interface MongoFixture extends LedgerFixture {
  ledger: MongoLedger;
  reopen(): Promise<MongoLedger>;
  dbName: string;
}

export async function mongoFixture(
  uri: string,
  kind = 'contract',
  mode: MongoModeSetting = 'auto',
): Promise<MongoFixture> {
  const dbName = freshDbName(kind);
  const opened: MongoLedger[] = [];
  const open = async () => {
    const ledger = await openMongoLedger(uri, dbName, mode);
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

export function makeMongoLedgerFactory(uri: string, mode: MongoModeSetting = 'auto'): LedgerFactory {
  return () => mongoFixture(uri, 'contract', mode);
}

/** The modes to test on a server, and whether it can honour this mode's concurrency races. */
export function modesFor(targetName: string): Array<{ mode: MongoMode; races: boolean }> {
  return [
    { mode: 'compat', races: true },
    // FerretDB runs the mongodb mode's code, not its atomicity: its conditional updates race.
    { mode: 'mongodb', races: targetName !== 'ferretdb' },
  ];
}

/**
 * `withFixture(body)`: a fresh database for `body`, cleaned up after; `withTwo(body)`: the same with
 * a second ledger on it (another replica).
 */
export function fixtureRunner(uri: string, kind: string, mode: MongoModeSetting) {
  const withFixture = async (body: (fx: MongoFixture) => Promise<void>) => {
    const fx = await mongoFixture(uri, kind, mode);
    try {
      await body(fx);
    } finally {
      await fx.cleanup();
    }
  };
  const withTwo = (body: (a: MongoLedger, b: MongoLedger, fx: MongoFixture) => Promise<void>) =>
    withFixture(async (fx) => body(fx.ledger, await fx.reopen(), fx));
  return { withFixture, withTwo };
}
