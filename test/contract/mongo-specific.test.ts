import { MongoClient } from 'mongodb';
import { describe, expect, inject, it } from 'vitest';
import { LEGACY_MERGE_POLICY } from '../../src/domain/rig.ts';
import { dbNameFromUri } from '../../src/ledger/mongo/connect.ts';
import { contiguousRun, GAP_SETTLE_MS } from '../../src/ledger/mongo/event-log.ts';
import { NOT_TESTED } from '../support/mongo-targets.ts';
import { clock } from './harness.ts';
import { type MongoFixture, mongoFixture } from './mongo-target.ts';

/**
 * MongoDB adapter details outside the shared contract: the compat log's holes, documents written by
 * older versions, a repeated init. Races: mongo-races.test.ts; crash recovery:
 * mongo-recovery.test.ts; the modes themselves: mongo-modes.test.ts.
 */
const targets = inject('mongoTargets');

describe('mongo adapter: pure helpers (no server needed)', () => {
  const now = Date.parse('2026-11-22T10:00:00.000Z');
  const ev = (seq: number, ageMs = 0) => ({ seq, published_at: new Date(now - ageMs) });

  it('stops at a fresh hole: the missing event may still be inserted', () => {
    expect(contiguousRun([ev(1), ev(2), ev(4)], 0, now).map((e) => e.seq)).toEqual([1, 2]);
    expect(contiguousRun([ev(7)], 5, now)).toEqual([]);
  });

  it('steps over a hole only once the event after it has settled', () => {
    const old = GAP_SETTLE_MS + 1;
    expect(contiguousRun([ev(1), ev(3, old), ev(4)], 0, now).map((e) => e.seq)).toEqual([1, 3, 4]);
    expect(contiguousRun([ev(1), ev(3, old), ev(5)], 0, now).map((e) => e.seq)).toEqual([1, 3]);
  });

  it('takes the database from any connection string, replica-set host lists included', () => {
    expect(dbNameFromUri('mongodb://h1:27017,h2:27017/gastown?replicaSet=rs0')).toBe('gastown');
    expect(dbNameFromUri('mongodb+srv://user:p%40ss@cluster.example.net/prod?retryWrites=true')).toBe('prod');
    expect(dbNameFromUri('mongodb://127.0.0.1:27017/')).toBe('');
    expect(dbNameFromUri('mongodb://h1,h2?replicaSet=rs0')).toBe('');
  });
});

if (targets.length === 0) {
  describe('mongo adapter specifics', () => {
    it.skip(NOT_TESTED, () => {});
  });
}

for (const target of targets) {
  describe(`mongo adapter specifics (${target.name})`, () => {
    const withFixture = async (body: (fx: MongoFixture) => Promise<void>) => {
      const fx = await mongoFixture(target.uri, 'specific', 'compat'); // the hole test writes compat's log
      try {
        await body(fx);
      } finally {
        await fx.cleanup();
      }
    };

    it('a hole in the log holds readers back until it is filled or has settled', async () => {
      await withFixture(async (fx) => {
        const ctx = clock();
        await fx.ledger.createBead({ title: 'one' }, ctx());
        const raw = new MongoClient(target.uri);
        try {
          const events = raw.db(fx.dbName).collection('events');
          const fake = (seq: number, ageMs: number) => ({
            _id: `fake-${seq}` as never,
            seq,
            type: 'bead_updated',
            bead_id: null,
            rig: null,
            actor: 'tester',
            at: '2026-11-22T10:00:00.000Z',
            data: {},
            published_at: new Date(Date.now() - ageMs),
          });
          await events.insertOne(fake(3, 0)); // seq 2 "still in flight"
          expect((await fx.ledger.eventsSince(0)).map((e) => e.seq)).toEqual([1]);
          expect(await fx.ledger.eventsSince(1)).toEqual([]);
          await events.insertOne(fake(2, 0)); // the hole fills
          expect((await fx.ledger.eventsSince(1)).map((e) => e.seq)).toEqual([2, 3]);
          await events.insertOne(fake(5, GAP_SETTLE_MS + 1000)); // seq 4 never came: step over
          expect((await fx.ledger.eventsSince(3)).map((e) => e.seq)).toEqual([5]);
        } finally {
          await raw.close();
        }
      });
    });

    it('reads a rig document written before rigs had env, a merge policy or a freeze', async () => {
      await withFixture(async (fx) => {
        const old = { name: 'old', prefix: 'od', repo: '/srv/old.git', env: ['ANTHROPIC_API_KEY'] };
        await fx.ledger.addRig(old, clock()());
        const raw = new MongoClient(target.uri);
        try {
          await raw
            .db(fx.dbName)
            .collection('rigs')
            .updateOne({ _id: 'old' as never }, { $unset: { env: '', merge_policy: '', mq_frozen: '' } });
        } finally {
          await raw.close();
        }
        // Passing nothing to polecats, and merging as it did then (domain/rig.ts LEGACY_MERGE_POLICY).
        const legacy = { name: 'old', env: [], merge_policy: LEGACY_MERGE_POLICY, mq_frozen: null };
        expect(await fx.ledger.getRig('old')).toMatchObject(legacy);
        expect(await fx.ledger.setRigParked('old', true, clock()())).toMatchObject({
          ...legacy,
          parked: true,
        });
        // Switching such a rig to the queue starts from the legacy policy's other fields.
        expect(
          (await fx.ledger.setRigMergePolicy('old', { merge: 'mr', gates: [] }, clock()())).merge_policy,
        ).toEqual({
          ...LEGACY_MERGE_POLICY,
          merge: 'mr',
          gates: [],
        });
        // Not frozen, and freezable like any other.
        const freeze = { by: 'alice', reason: 'release', at: '2026-11-22T10:00:00.000Z' };
        expect((await fx.ledger.setRigFrozen('old', freeze, clock()())).mq_frozen).toEqual(freeze);
        expect((await fx.ledger.getRig('old'))?.mq_frozen).toEqual(freeze);
      });
    });

    it('init is idempotent on an existing database (indexes, TTL fallback, recovery)', async () => {
      await withFixture(async (fx) => {
        await fx.ledger.createBead({ title: 'kept' }, clock()());
        const again = await fx.reopen();
        await again.init();
        expect(await again.listBeads({})).toHaveLength(1);
        const raw = new MongoClient(target.uri);
        try {
          const names = (await raw.db(fx.dbName).collection('idempotency').listIndexes().toArray()).map(
            (i) => i.name,
          );
          expect(names).toContain('expiry');
        } finally {
          await raw.close();
        }
        const expired = new Date(Date.now() - 1000);
        expect(await again.recordIdempotencyKey('k', expired)).toBe(true);
        expect(await again.recordIdempotencyKey('k', new Date(Date.now() + 60_000))).toBe(true);
        expect(await again.recordIdempotencyKey('k', new Date(Date.now() + 60_000))).toBe(false);
      });
    });
  });
}
