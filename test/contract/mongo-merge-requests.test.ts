import { MongoClient } from 'mongodb';
import { describe, expect, inject, it } from 'vitest';
import { type NewMergeRequest, OPEN_MR_STATUSES } from '../../src/domain/merge-request.ts';
import type { MongoLedger } from '../../src/ledger/mongo/mongo-ledger.ts';
import { NOT_TESTED } from '../support/mongo-targets.ts';
import { clock, raceIt } from './harness.ts';
import { type MongoFixture, modesFor, mongoFixture } from './mongo-target.ts';

/**
 * What the MongoDB adapter must prove about merge requests beyond the shared contract, in both
 * modes: with no transactions, many replicas moving or submitting at once still leave one winner
 * and one open MR per bead (compat: even on FerretDB, whose conditional updates are not atomic;
 * mongodb mode: where they are), and a crash between a submission and its supersession is
 * finished later.
 */
const targets = inject('mongoTargets');

if (targets.length === 0) {
  describe('mongo merge requests', () => {
    it.skip(NOT_TESTED, () => {});
  });
}

const sha = (n: number) => n.toString(16).padStart(40, '0');

for (const target of targets) {
  for (const { mode, races } of modesFor(target.name)) {
    describe(`mongo merge requests (${target.name}, ${mode} mode)`, () => {
      const race = raceIt({ races });
      const withReplicas = async (
        n: number,
        body: (ledgers: MongoLedger[], fx: MongoFixture) => Promise<void>,
      ) => {
        const fx = await mongoFixture(target.uri, 'mrs', mode);
        try {
          const others = await Promise.all(Array.from({ length: n - 1 }, () => fx.reopen()));
          await body([fx.ledger, ...others], fx);
        } finally {
          await fx.cleanup();
        }
      };
      const withRaw = async <T>(body: (raw: MongoClient) => Promise<T>): Promise<T> => {
        const raw = new MongoClient(target.uri);
        try {
          return await body(raw);
        } finally {
          await raw.close();
        }
      };

      /** A rig and a bead; `input(i)` is submission i of the bead's work (its own SHA). */
      const setup = async (ledger: MongoLedger, ctx: ReturnType<typeof clock>, title = 'work') => {
        if (!(await ledger.getRig('alpha'))) await ledger.addRig({ name: 'alpha', prefix: 'al' }, ctx());
        const bead = await ledger.createBead({ title, rig: 'alpha' }, ctx());
        const input = (i: number): NewMergeRequest => ({
          id: `${bead.id}-mr-${i}`,
          rig: 'alpha',
          bead_id: bead.id,
          polecat: 'alpha/Toast',
          branch: `polecat/Toast/${bead.id}`,
          sha: sha(i + 1),
          target: 'main',
          priority: 2,
        });
        return { bead, input };
      };

      race(
        'eight replicas moving one MR at one version: exactly one wins, with exactly one event',
        async () => {
          await withReplicas(8, async (ledgers) => {
            const ctx = clock();
            const [first] = ledgers as [MongoLedger];
            for (let round = 0; round < 3; round++) {
              const { input } = await setup(first, ctx, `round ${round}`);
              const { mr } = await first.submitMergeRequest(input(0), ctx());
              const results = await Promise.all(
                ledgers.map((l, i) =>
                  l.updateMergeRequest(
                    mr.id,
                    {
                      expect: { status: 'queued', version: 1 },
                      set: { status: 'verifying', attempts: i + 1 },
                    },
                    ctx(`refinery-${i}`),
                  ),
                ),
              );
              const won = results.filter((r) => r !== null);
              expect(won).toHaveLength(1);
              expect(await first.getMergeRequest(mr.id)).toMatchObject({
                version: 2,
                attempts: won[0]?.attempts,
              });
              const moves = (await first.eventsSince(0)).filter(
                (e) => e.type === 'mr_updated' && e.data.mr_id === mr.id,
              );
              expect(moves).toHaveLength(1);
            }
          });
        },
      );

      race(
        'eight replicas submitting new SHAs for one bead: one open MR, each submission in its own place',
        async () => {
          await withReplicas(8, async (ledgers, fx) => {
            const ctx = clock();
            const [first] = ledgers as [MongoLedger];
            for (let round = 0; round < 3; round++) {
              const { bead, input } = await setup(first, ctx, `round ${round}`);
              await Promise.all(ledgers.map((l, i) => l.submitMergeRequest(input(i), ctx())));
              const all = await first.listMergeRequests({ bead: bead.id });
              expect(all).toHaveLength(8);
              expect(all.filter((m) => OPEN_MR_STATUSES.includes(m.status))).toHaveLength(1);
              const seqs = await withRaw(async (raw) =>
                (await raw.db(fx.dbName).collection('merge_requests').find({ lane: bead.id }).toArray()).map(
                  (d) => d.lane_seq,
                ),
              );
              expect(seqs.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
            }
          });
        },
      );

      it('refuses a second submission in a taken place of the lane (the unique index holds on this server)', async () => {
        await withReplicas(1, async ([ledger], fx) => {
          const { bead, input } = await setup(ledger as MongoLedger, clock());
          await (ledger as MongoLedger).submitMergeRequest(input(0), clock()());
          const code = await withRaw(async (raw) =>
            raw
              .db(fx.dbName)
              .collection('merge_requests')
              .insertOne({ _id: 'intruder' as never, lane: bead.id, lane_seq: 1 })
              .then(
                () => 0,
                (err: { code?: number }) => err.code,
              ),
          );
          expect(code).toBe(11000);
        });
      });

      it('a submission whose supersession a crash interrupted is finished at the next start', async () => {
        await withReplicas(1, async ([ledger], fx) => {
          const ctx = clock();
          const { bead, input } = await setup(ledger as MongoLedger, ctx);
          const older = (await (ledger as MongoLedger).submitMergeRequest(input(0), ctx())).mr;
          // Inserted with its pending event, then the writer died before publishing it.
          const { id, ...fields } = { ...older, ...input(1), status: 'queued' as const };
          const at = ctx().now.toISOString();
          await withRaw((raw) =>
            raw
              .db(fx.dbName)
              .collection('merge_requests')
              .insertOne({
                _id: id as never,
                ...fields,
                created_at: at,
                updated_at: at,
                lane: bead.id,
                lane_seq: 2,
                rev: 1,
                outbox: [
                  {
                    id: `crashed-${id}`,
                    type: 'mr_submitted',
                    bead_id: bead.id,
                    rig: 'alpha',
                    actor: 'alpha/Toast',
                    at,
                    data: { mr_id: id, from: null, to: 'queued', reason: '' },
                    ripple: { kind: 'supersede', lane: bead.id, seq: 2, mr_id: id },
                    queued_at: new Date(),
                  },
                ],
              }),
          );
          const restarted = await fx.reopen();
          expect(await restarted.getMergeRequest(older.id)).toMatchObject({
            status: 'superseded',
            reason: `superseded by ${id}`,
          });
          expect(
            (await restarted.listMergeRequests({ bead: bead.id, status: OPEN_MR_STATUSES })).map((m) => m.id),
          ).toEqual([id]);
          const events = (await restarted.eventsSince(0)).filter((e) => e.type.startsWith('mr_')).slice(1);
          expect(events.map((e) => [e.type, e.data.mr_id])).toEqual([
            ['mr_updated', older.id],
            ['mr_submitted', id],
          ]);
          expect(await restarted.flushOutbox()).toBe(0);
        });
      });
    });
  }
}
