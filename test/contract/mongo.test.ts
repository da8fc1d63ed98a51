import { describe, inject, it } from 'vitest';
import { NOT_TESTED } from '../support/mongo-targets.ts';
import { runLedgerContract } from './ledger.contract.ts';
import { makeMongoLedgerFactory } from './mongo-target.ts';

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

for (const target of targets) {
  runLedgerContract(`mongo (${target.name})`, makeMongoLedgerFactory(target.uri));
}
