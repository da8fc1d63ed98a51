import { MongoClient } from 'mongodb';
import { describe, expect, inject, it } from 'vitest';
import { isBlockedNow } from '../../src/domain/blocking.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { MemoryGraph } from '../../src/domain/graph-view.ts';
import type { Ledger } from '../../src/ledger/port.ts';
import { NOT_TESTED } from '../support/mongo-targets.ts';
import { clock, raceIt } from './harness.ts';
import { fixtureRunner, modesFor } from './mongo-target.ts';

/**
 * What only the MongoDB adapter must prove, in both its modes: no transactions, yet concurrent
 * writers from several "replicas" leave correct state and the event log never lets a reader skip
 * an event. The mongodb mode's races run where the server applies conditional updates atomically
 * (MongoDB, via MONGODB_URI); on FerretDB they are skipped, loudly (harness.ts raceIt).
 */
const targets = inject('mongoTargets');

if (targets.length === 0) {
  describe('mongo adapter races', () => {
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
  for (const { mode, races } of modesFor(target.name)) {
    describe(`mongo adapter races (${target.name}, ${mode} mode)`, () => {
      const race = raceIt({ races });
      const { withFixture, withTwo } = fixtureRunner(target.uri, 'races', mode);

      race('two replicas closing both blockers of a bead at once leave it unblocked', async () => {
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

      race('a close racing a new blocker edge leaves the dependent blocked', async () => {
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

      race(
        'random concurrent closes, reopens and edge changes from two replicas keep every flag right',
        async () => {
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
        },
        120_000,
      );

      race('eight replicas claiming one bead: exactly one wins, with exactly one claim event', async () => {
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

      race('concurrent writers never lose each other’s changes to one bead', async () => {
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

      race('events from two writers get unique, gap-free sequence numbers', async () => {
        await withTwo(async (a, b) => {
          const ctx = clock();
          await Promise.all(
            Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).createBead({ title: `e${i}` }, ctx())),
          );
          const seqs = (await a.eventsSince(0)).map((e) => e.seq);
          expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        });
      });

      race('a reader following the log during concurrent writes never skips an event', async () => {
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
    });
  }
}
