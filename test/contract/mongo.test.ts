import { describe, inject, it } from 'vitest';
import { NOT_TESTED } from '../support/mongo-targets.ts';
import { runLedgerContract } from './ledger.contract.ts';
import { makeMongoLedgerFactory, modesFor } from './mongo-target.ts';

/**
 * The same contract on the MongoDB adapter, in both its modes (compat and mongodb), against every
 * MongoDB-protocol server available: a FerretDB 1.24 child process (the mongodb mode's races
 * skipped, loudly), and real MongoDB when MONGODB_URI is set (everything). With neither, one
 * skipped test says so loudly (and mongoTargets printed a banner).
 */
const targets = inject('mongoTargets');

if (targets.length === 0) {
  describe('ledger contract: mongo', () => {
    it.skip(NOT_TESTED, () => {});
  });
}

for (const target of targets) {
  for (const { mode, races } of modesFor(target.name)) {
    runLedgerContract(`mongo (${target.name}, ${mode} mode)`, makeMongoLedgerFactory(target.uri, mode), {
      races,
    });
  }
}
