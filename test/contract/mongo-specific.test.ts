import { MongoClient } from 'mongodb';
import { describe, expect, inject, it } from 'vitest';
import { MongoLedger } from '../../src/ledger/mongo/mongo-ledger.ts';
import { NOT_TESTED } from '../support/mongo-targets.ts';
import { clock } from './harness.ts';

/**
 * What only the MongoDB adapter must prove: no transactions, yet concurrent writers from two
 * "replicas" leave correct state, and a crash between a write and its event loses nothing.
 */
const targets = inject('mongoTargets');

if (targets.length === 0) describe.skip(NOT_TESTED, () => it('skipped', () => {}));

let n = 0;
for (const target of targets) {
  describe(`mongo adapter specifics (${target.name})`, () => {
    const open = async (dbName: string) => {
      const ledger = new MongoLedger(new MongoClient(target.uri, { serverSelectionTimeoutMS: 5000 }), dbName);
      await ledger.init();
      return ledger;
    };
    const withTwo = async (body: (a: MongoLedger, b: MongoLedger, dbName: string) => Promise<void>) => {
      const dbName = `gt_specific_${process.pid}_${++n}`;
      const [a, b] = [await open(dbName), await open(dbName)];
      try {
        await body(a, b, dbName);
      } finally {
        await a.close();
        await b.close();
        const admin = new MongoClient(target.uri);
        await admin.db(dbName).dropDatabase();
        await admin.close();
      }
    };

    it('two replicas closing both blockers of a bead at once leave it unblocked', async () => {
      await withTwo(async (a, b) => {
        const ctx = clock();
        for (let round = 0; round < 5; round++) {
          const x = await a.createBead({ title: `X${round}` }, ctx());
          const y = await a.createBead({ title: `Y${round}` }, ctx());
          const dep = await a.createBead({ title: `B${round}` }, ctx());
          await a.addDependency(dep.id, x.id, 'blocks', ctx());
          await a.addDependency(dep.id, y.id, 'blocks', ctx());
          await Promise.all([a.closeBead(x.id, {}, ctx()), b.closeBead(y.id, {}, ctx())]);
          expect((await a.getBead(dep.id))?.is_blocked).toBe(false);
        }
      });
    });

    it('concurrent writers never lose each other’s changes to one bead', async () => {
      await withTwo(async (a, b) => {
        const ctx = clock();
        const bead = await a.createBead({ title: 'shared' }, ctx());
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 ? a : b).updateBead(bead.id, { add_labels: [`l${i}`] }, ctx()),
          ),
        );
        const labels = (await a.getBead(bead.id))?.labels.sort();
        expect(labels).toEqual(Array.from({ length: 10 }, (_, i) => `l${i}`).sort());
        expect((await a.getBead(bead.id))?.version).toBe(11);
      });
    });

    it('events from two writers get unique, gap-free sequence numbers', async () => {
      await withTwo(async (a, b) => {
        const ctx = clock();
        await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).createBead({ title: `e${i}` }, ctx())),
        );
        const seqs = (await a.eventsSince(0)).map((e) => e.seq);
        expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      });
    });

    it('an event left in the outbox by a crash is published, with its ripple, at the next start', async () => {
      await withTwo(async (a, _b, dbName) => {
        const ctx = clock();
        const x = await a.createBead({ title: 'X' }, ctx());
        const dep = await a.createBead({ title: 'B' }, ctx());
        await a.addDependency(dep.id, x.id, 'blocks', ctx());
        // Simulate a crash right after the close was written: status closed, event still pending.
        const raw = new MongoClient(target.uri);
        await raw
          .db(dbName)
          .collection('beads')
          .updateOne(
            { _id: x.id as never },
            {
              $set: { status: 'closed', closed_at: '2026-11-22T10:00:00.000Z' },
              $push: {
                outbox: {
                  id: 'crashed-event',
                  type: 'bead_closed',
                  bead_id: x.id,
                  rig: null,
                  actor: 'tester',
                  at: '2026-11-22T10:00:00.000Z',
                  data: { reason: '' },
                  ripple: { kind: 'status', id: x.id },
                },
              } as never,
            },
          );
        await raw.close();
        expect((await a.getBead(dep.id))?.is_blocked).toBe(true);
        const restarted = await open(dbName);
        try {
          expect((await restarted.getBead(dep.id))?.is_blocked).toBe(false);
          const events = await restarted.eventsSince(0);
          expect(events.at(-1)).toMatchObject({ type: 'bead_closed', bead_id: x.id, seq: events.length });
          expect(events.filter((e) => e.type === 'bead_closed')).toHaveLength(1);
        } finally {
          await restarted.close();
        }
      });
    });
  });
}
