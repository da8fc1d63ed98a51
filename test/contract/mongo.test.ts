import { MongoClient } from 'mongodb';
import { describe, inject, it } from 'vitest';
import { MongoLedger } from '../../src/ledger/mongo/mongo-ledger.ts';
import { NOT_TESTED } from '../support/mongo-targets.ts';
import { runLedgerContract } from './ledger.contract.ts';

/**
 * The same contract on the MongoDB adapter, against every MongoDB-protocol server available:
 * a FerretDB 1.24 child process, and real MongoDB when MONGODB_URI is set. With neither, one
 * skipped test says so loudly (and mongoTargets printed a banner).
 */
const targets = inject('mongoTargets');

if (targets.length === 0) {
  describe('ledger contract: mongo', () => {
    it.skip(NOT_TESTED, () => {});
  });
}

let databases = 0;
for (const target of targets) {
  runLedgerContract(`mongo (${target.name})`, async () => {
    const dbName = `gt_contract_${process.pid}_${++databases}`;
    const opened: MongoLedger[] = [];
    const open = async () => {
      const ledger = new MongoLedger(new MongoClient(target.uri, { serverSelectionTimeoutMS: 5000 }), dbName);
      await ledger.init();
      opened.push(ledger);
      return ledger;
    };
    return {
      ledger: await open(),
      reopen: open,
      cleanup: async () => {
        const admin = new MongoClient(target.uri);
        await admin.db(dbName).dropDatabase();
        await admin.close();
        for (const l of opened) await l.close();
      },
    };
  });
}
