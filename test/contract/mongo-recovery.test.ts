import { MongoClient } from 'mongodb';
import { describe, expect, inject, it } from 'vitest';
import { waitFor } from '../e2e/runner-process.ts';
import { NOT_TESTED } from '../support/mongo-targets.ts';
import { clock } from './harness.ts';
import { fixtureRunner, modesFor } from './mongo-target.ts';

/**
 * A crash between a write and its event loses nothing, in both modes: the event waits in the
 * document's outbox and is published (its derived work first) at the next start, or by a running
 * replica's sweep.
 */
const targets = inject('mongoTargets');

if (targets.length === 0) {
  describe('mongo adapter recovery', () => {
    it.skip(NOT_TESTED, () => {});
  });
}

for (const target of targets) {
  for (const { mode } of modesFor(target.name)) {
    describe(`mongo adapter recovery (${target.name}, ${mode} mode)`, () => {
      const { withFixture, withTwo } = fixtureRunner(target.uri, 'recovery', mode);

      /** Simulates a crash right after a close was written: status closed, its event still pending. */
      const crashAfterClose = async (dbName: string, id: string, queuedAgoMs: number) => {
        const raw = new MongoClient(target.uri);
        try {
          await raw
            .db(dbName)
            .collection('beads')
            .updateOne(
              { _id: id as never },
              {
                $set: { status: 'closed', closed_at: '2026-11-22T10:00:00.000Z' },
                $push: {
                  outbox: {
                    id: `crashed-${id}`,
                    type: 'bead_closed',
                    bead_id: id,
                    rig: null,
                    actor: 'tester',
                    at: '2026-11-22T10:00:00.000Z',
                    data: { reason: '' },
                    ripple: { kind: 'status', id },
                    queued_at: new Date(Date.now() - queuedAgoMs),
                  },
                } as never,
              },
            );
        } finally {
          await raw.close();
        }
      };

      it('an event left in the outbox by a crash is published, with its ripple, at the next start', async () => {
        await withFixture(async (fx) => {
          const a = fx.ledger;
          const ctx = clock();
          const x = await a.createBead({ title: 'X' }, ctx());
          const dep = await a.createBead({ title: 'B' }, ctx());
          await a.addDependency(dep.id, x.id, 'blocks', ctx());
          await crashAfterClose(fx.dbName, x.id, 0);
          expect((await a.getBead(dep.id))?.is_blocked).toBe(true);
          const restarted = await fx.reopen();
          expect((await restarted.getBead(dep.id))?.is_blocked).toBe(false);
          const events = await restarted.eventsSince(0);
          expect(events.at(-1)).toMatchObject({ type: 'bead_closed', bead_id: x.id, seq: events.length });
          expect(events.filter((e) => e.type === 'bead_closed')).toHaveLength(1);
          expect(await restarted.flushOutbox()).toBe(0); // nothing left; publishing again is a no-op
          expect(await restarted.eventsSince(0)).toEqual(events);
        });
      });

      it('a running replica publishes an entry abandoned by a crashed one, without a restart', async () => {
        await withTwo(async (a, b, fx) => {
          const ctx = clock();
          const x = await a.createBead({ title: 'X' }, ctx());
          const dep = await a.createBead({ title: 'B' }, ctx());
          await a.addDependency(dep.id, x.id, 'blocks', ctx());
          const before = (await a.eventsSince(0)).length;
          // `a` is the replica that dies: only `b` may finish its work. (Two live sweeps racing for
          // one entry is a race the mongodb mode wins on MongoDB only: mongo-races.test.ts territory.)
          await a.close();
          await crashAfterClose(fx.dbName, x.id, 60_000); // queued a minute ago by a replica now dead
          // compat: b's next event read runs its upkeep; mongodb: b's sweep timer (reads never write).
          await waitFor(async () => (await b.eventsSince(0)).length > before, 15_000);
          const events = await b.eventsSince(0);
          expect(events).toHaveLength(before + 1);
          expect(events.at(-1)).toMatchObject({ type: 'bead_closed', bead_id: x.id });
          expect((await b.getBead(dep.id))?.is_blocked).toBe(false);
        });
      });

      it('clears outbox entries once they are logged, never logging one twice', async () => {
        await withFixture(async (fx) => {
          const ctx = clock();
          const x = await fx.ledger.createBead({ title: 'X' }, ctx());
          await fx.ledger.updateBead(x.id, { add_labels: ['a'] }, ctx());
          await fx.ledger.closeBead(x.id, {}, ctx());
          const logged = await fx.ledger.eventsSince(0);
          await fx.ledger.flushOutbox(); // the sweep a timer runs; compat has nothing left to clear
          const raw = new MongoClient(target.uri);
          try {
            const doc = await raw
              .db(fx.dbName)
              .collection('beads')
              .findOne({ _id: x.id as never });
            expect(doc?.outbox).toEqual([]);
          } finally {
            await raw.close();
          }
          expect(await fx.ledger.eventsSince(0)).toEqual(logged);
          expect(logged.map((e) => e.type)).toEqual(['bead_created', 'bead_updated', 'bead_closed']);
        });
      });
    });
  }
}
