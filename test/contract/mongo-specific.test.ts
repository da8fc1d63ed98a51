import { MongoClient } from 'mongodb';
import { describe, expect, inject, it } from 'vitest';
import { isBlockedNow } from '../../src/domain/blocking.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { MemoryGraph } from '../../src/domain/graph-view.ts';
import { LEGACY_MERGE_POLICY } from '../../src/domain/rig.ts';
import { dbNameFromUri } from '../../src/ledger/mongo/connect.ts';
import { contiguousRun, GAP_SETTLE_MS } from '../../src/ledger/mongo/event-log.ts';
import type { MongoLedger } from '../../src/ledger/mongo/mongo-ledger.ts';
import type { Ledger } from '../../src/ledger/port.ts';
import { NOT_TESTED } from '../support/mongo-targets.ts';
import { clock } from './harness.ts';
import { type MongoFixture, mongoFixture } from './mongo-target.ts';

/**
 * What only the MongoDB adapter must prove: no transactions, yet concurrent writers from several
 * "replicas" leave correct state, the event log never lets a reader skip an event, and a crash
 * between a write and its event loses nothing.
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

/** Every bead's stored flag must equal what the domain computes from the stored graph. */
async function expectFlagsConsistent(ledger: Ledger): Promise<void> {
  const beads = await ledger.listBeads({ all: true });
  const graph = new MemoryGraph(beads.map((b) => ({ id: b.id, status: b.status, is_blocked: b.is_blocked })));
  for (const b of beads) {
    for (const d of await ledger.dependenciesOf(b.id)) {
      graph.addEdge(b.id, { target: d.depends_on_id, type: d.type, ...(d.gate ? { gate: d.gate } : {}) });
    }
  }
  const wrong = beads.filter((b) => b.is_blocked !== isBlockedNow(b.id, graph)).map((b) => b.id);
  expect(wrong).toEqual([]);
}

/** A small deterministic PRNG (mulberry32), so a failing interleaving of operations can be replayed. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ignoreRefusals = (err: unknown) => {
  if (!(err instanceof DomainError)) throw err;
};

for (const target of targets) {
  describe(`mongo adapter specifics (${target.name})`, () => {
    const withFixture = async (body: (fx: MongoFixture) => Promise<void>) => {
      const fx = await mongoFixture(target.uri, 'specific');
      try {
        await body(fx);
      } finally {
        await fx.cleanup();
      }
    };
    const withTwo = (body: (a: MongoLedger, b: MongoLedger, fx: MongoFixture) => Promise<void>) =>
      withFixture(async (fx) => body(fx.ledger, await fx.reopen(), fx));

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

    it('a close racing a new blocker edge leaves the dependent blocked', async () => {
      await withTwo(async (a, b) => {
        const ctx = clock();
        for (let round = 0; round < 5; round++) {
          const [x, y, dep] = [
            await a.createBead({ title: `X${round}` }, ctx()),
            await a.createBead({ title: `Y${round}` }, ctx()),
            await a.createBead({ title: `B${round}` }, ctx()),
          ];
          await a.addDependency(dep.id, x.id, 'blocks', ctx());
          await Promise.all([a.closeBead(x.id, {}, ctx()), b.addDependency(dep.id, y.id, 'blocks', ctx())]);
          expect((await a.getBead(dep.id))?.is_blocked).toBe(true);
          expect((await a.listBlocked({})).find((d) => d.id === dep.id)?.blocked_by).toEqual([y.id]);
        }
      });
    });

    it('a bead never shows as unblocked while it holds an edge to an open blocker', async () => {
      await withFixture(async (fx) => {
        const ctx = clock();
        const raw = new MongoClient(target.uri);
        try {
          const beads = raw
            .db(fx.dbName)
            .collection<{ _id: string; is_blocked: boolean; deps: { depends_on_id: string }[] }>('beads');
          for (let round = 0; round < 10; round++) {
            const x = await fx.ledger.createBead({ title: `X${round}` }, ctx());
            const dep = await fx.ledger.createBead({ title: `B${round}` }, ctx());
            let adding = true;
            const seenWrong: unknown[] = [];
            const watcher = (async () => {
              while (adding) {
                const doc = await beads.findOne({ _id: dep.id });
                if (doc?.deps.some((d) => d.depends_on_id === x.id) && !doc.is_blocked) seenWrong.push(doc);
              }
            })();
            await fx.ledger.addDependency(dep.id, x.id, 'blocks', ctx());
            adding = false;
            await watcher;
            expect(seenWrong).toEqual([]);
          }
        } finally {
          await raw.close();
        }
      });
    });

    it('random concurrent closes, reopens and edge changes from two replicas keep every flag right', async () => {
      await withTwo(async (a, b) => {
        const ctx = clock();
        const rand = random(20261122);
        const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)] as T;
        const epics = [await a.createBead({ title: 'E1', issue_type: 'epic' }, ctx())];
        epics.push(await a.createBead({ title: 'E2', issue_type: 'epic' }, ctx()));
        const tasks = [];
        for (let i = 0; i < 10; i++) {
          const parent = i < 6 ? { parent: (epics[i % 2] as { id: string }).id } : {};
          tasks.push(await a.createBead({ title: `T${i}`, ...parent }, ctx()));
        }
        const taskIds = tasks.map((t) => t.id);
        const op = (l: Ledger): Promise<unknown> => {
          const r = rand();
          const id = pick(taskIds);
          if (r < 0.3) return l.closeBead(id, { force: true }, ctx());
          if (r < 0.5) return l.reopenBead(id, ctx());
          if (r < 0.6) return l.closeBead(pick(epics).id, { force: true }, ctx());
          if (r < 0.7) return l.reopenBead(pick(epics).id, ctx());
          if (r < 0.85) return l.addDependency(id, pick(taskIds), 'blocks', ctx());
          return l.removeDependency(id, pick(taskIds), ctx());
        };
        for (let wave = 0; wave < 8; wave++) {
          await Promise.all(Array.from({ length: 6 }, (_, i) => op(i % 2 ? a : b).catch(ignoreRefusals)));
        }
        await expectFlagsConsistent(a);
      });
    }, 120_000);

    it('eight replicas claiming one bead: exactly one wins, with exactly one claim event', async () => {
      await withFixture(async (fx) => {
        const ledgers = [fx.ledger, ...(await Promise.all(Array.from({ length: 7 }, () => fx.reopen())))];
        const ctx = clock();
        for (let round = 0; round < 3; round++) {
          const bead = await fx.ledger.createBead({ title: `claim me ${round}` }, ctx());
          const results = await Promise.all(
            ledgers.map((l, i) =>
              l.claimBead(
                bead.id,
                {
                  expect: { status: 'open', assignee: null },
                  set: { status: 'hooked', assignee: `rig/p${i}` },
                },
                ctx(`p${i}`),
              ),
            ),
          );
          const won = results.filter((r) => r !== null);
          expect(won).toHaveLength(1);
          expect((await fx.ledger.getBead(bead.id))?.assignee).toBe(won[0]?.assignee);
          const claims = (await fx.ledger.eventsSince(0)).filter(
            (e) => e.type === 'bead_claimed' && e.bead_id === bead.id,
          );
          expect(claims).toHaveLength(1);
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

    it('a reader following the log during concurrent writes never skips an event', async () => {
      await withTwo(async (a, b) => {
        const ctx = clock();
        const seen: number[] = [];
        let writing = true;
        const reader = (async () => {
          let hwm = 0;
          while (writing || (await b.eventsSince(hwm)).length > 0) {
            for (const e of await b.eventsSince(hwm, 7)) {
              seen.push(e.seq);
              hwm = e.seq;
            }
          }
        })();
        await Promise.all(
          Array.from({ length: 4 }, async (_, w) => {
            for (let i = 0; i < 6; i++) await (w % 2 ? a : b).createBead({ title: `w${w}-${i}` }, ctx());
          }),
        );
        writing = false;
        await reader;
        expect(seen).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
      });
    });

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
        await crashAfterClose(fx.dbName, x.id, 60_000); // queued a minute ago by a replica now dead
        const events = await b.eventsSince(0); // b's first read runs its upkeep
        expect(events).toHaveLength(before + 1);
        expect(events.at(-1)).toMatchObject({ type: 'bead_closed', bead_id: x.id });
        expect((await a.getBead(dep.id))?.is_blocked).toBe(false);
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
