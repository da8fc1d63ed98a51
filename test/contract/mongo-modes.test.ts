import { type CommandStartedEvent, MongoClient } from 'mongodb';
import { describe, expect, inject, it } from 'vitest';
import type { MongoMode } from '../../src/ledger/mongo/mode.ts';
import { MongoLedger } from '../../src/ledger/mongo/mongo-ledger.ts';
import { PAGE_SIZE } from '../../src/ledger/mongo/paged-event-log.ts';
import { NOT_TESTED } from '../support/mongo-targets.ts';
import { countRoundTrips, MONGODB_TARGETS, OPERATIONS } from '../support/round-trips.ts';
import { clock } from './harness.ts';
import { freshDbName, openMongoLedger } from './mongo-target.ts';

/**
 * The adapter's two modes (src/ledger/mongo/mode.ts): chosen from the server's answer or forced,
 * a database switching from compat to mongodb keeps its log, the mongodb mode's promises (no lock
 * documents, no writes on read paths) and its round trips per operation within their targets.
 * Round trips are counted from the driver's command monitoring, so they do not depend on the
 * machine; a count growing past its target fails here, not only in the benchmark.
 */
const targets = inject('mongoTargets');

if (targets.length === 0) {
  describe('mongo adapter modes', () => {
    it.skip(NOT_TESTED, () => {});
  });
}

const READ_COMMANDS = new Set(['find', 'aggregate', 'count', 'getMore', 'killCursors', 'distinct']);
const HOUSEKEEPING = new Set([
  'hello',
  'ismaster',
  'isMaster',
  'ping',
  'endSessions',
  'saslStart',
  'saslContinue',
]);

for (const target of targets) {
  describe(`mongo adapter modes (${target.name})`, () => {
    const dropAfter = async (dbName: string, body: () => Promise<void>) => {
      try {
        await body();
      } finally {
        const raw = new MongoClient(target.uri);
        await raw
          .db(dbName)
          .dropDatabase()
          .finally(() => raw.close());
      }
    };

    it('chooses the mode from the server’s own answer unless configured, and says which', async () => {
      const dbName = freshDbName('modes');
      await dropAfter(dbName, async () => {
        const auto = await openMongoLedger(target.uri, dbName);
        const expected: MongoMode = target.name === 'ferretdb' ? 'compat' : 'mongodb';
        expect(auto.describe()).toMatchObject({ kind: 'mongo', mode: expected });
        expect(auto.describe().server).toMatch(target.name === 'ferretdb' ? /^FerretDB v1\.24/ : /^MongoDB /);
        await auto.close();
        const forced = await openMongoLedger(target.uri, freshDbName('modes'), 'mongodb');
        expect(forced.describe()).toMatchObject({ mode: 'mongodb', why: 'set by GT_MONGO_MODE' });
        await forced.close();
      });
    });

    it('a compat ledger switched to mongodb mode keeps its log, publishes what was pending and numbers on', async () => {
      const dbName = freshDbName('switch');
      await dropAfter(dbName, async () => {
        const ctx = clock();
        const compat = await openMongoLedger(target.uri, dbName, 'compat');
        const a = await compat.createBead({ title: 'A' }, ctx());
        await compat.createBead({ title: 'B' }, ctx());
        const before = await compat.eventsSince(0);
        await compat.close();
        // A compat replica that died between a write and its publish: the entry waits in the outbox.
        const raw = new MongoClient(target.uri);
        try {
          await raw
            .db(dbName)
            .collection('beads')
            .updateOne({ _id: a.id as never }, {
              $push: {
                outbox: {
                  id: 'pending-at-switch',
                  type: 'bead_updated',
                  bead_id: a.id,
                  rig: null,
                  actor: 'tester',
                  at: '2026-11-22T10:00:00.000Z',
                  data: {},
                  ripple: { kind: 'none' },
                  queued_at: new Date(),
                },
              },
            } as never);
        } finally {
          await raw.close();
        }
        const switched = await openMongoLedger(target.uri, dbName, 'mongodb');
        const c = await switched.createBead({ title: 'C' }, ctx());
        const after = await switched.eventsSince(0);
        expect(after.slice(0, before.length)).toEqual(before);
        expect(after.slice(before.length).map((e) => [e.seq, e.type, e.bead_id])).toEqual([
          [before.length + 1, 'bead_updated', a.id],
          [before.length + 2, 'bead_created', c.id],
        ]);
        // A relay's mark from the compat days still reads on from where it was.
        expect((await switched.eventsSince(before.length)).map((e) => e.seq)).toEqual([
          before.length + 1,
          before.length + 2,
        ]);
        await switched.close();
      });
    });

    it('refuses to open a mongodb-mode ledger in compat mode, saying what to set', async () => {
      const dbName = freshDbName('refuse');
      await dropAfter(dbName, async () => {
        const ledger = await openMongoLedger(target.uri, dbName, 'mongodb');
        await ledger.createBead({ title: 'A' }, clock()());
        await ledger.close();
        await expect(openMongoLedger(target.uri, dbName, 'compat')).rejects.toThrow(/GT_MONGO_MODE=mongodb/);
        const again = await openMongoLedger(target.uri, dbName, 'mongodb');
        expect(await again.listBeads({})).toHaveLength(1);
        await again.close();
      });
    });

    it('mongodb mode writes no lock documents, and its reads send no writes', async () => {
      const dbName = freshDbName('reads');
      await dropAfter(dbName, async () => {
        const client = new MongoClient(target.uri, { monitorCommands: true });
        const sent: string[] = [];
        client.on('commandStarted', (e: CommandStartedEvent) => {
          if (!HOUSEKEEPING.has(e.commandName)) sent.push(e.commandName);
        });
        const ledger = new MongoLedger(client, dbName, { mode: 'mongodb', upkeepEveryMs: 3_600_000 });
        await ledger.init();
        const ctx = clock();
        const x = await ledger.createBead({ title: 'X' }, ctx());
        const y = await ledger.createBead({ title: 'Y' }, ctx());
        await ledger.addDependency(y.id, x.id, 'blocks', ctx());
        await ledger.closeBead(x.id, {}, ctx());
        sent.length = 0;
        await ledger.eventsSince(0);
        await ledger.listReady({});
        await ledger.getBead(y.id);
        await ledger.listBlocked({});
        expect(sent.length).toBeGreaterThan(0);
        expect(sent.filter((c) => !READ_COMMANDS.has(c))).toEqual([]);
        const raw = new MongoClient(target.uri);
        try {
          expect(await raw.db(dbName).collection('locks').countDocuments()).toBe(0);
        } finally {
          await raw.close();
        }
        await ledger.close();
      });
    });

    it('the mongodb mode’s event pages number on without a gap, whichever replica turns a page', async () => {
      const dbName = freshDbName('pages');
      await dropAfter(dbName, async () => {
        const a = await openMongoLedger(target.uri, dbName, 'mongodb');
        const b = await openMongoLedger(target.uri, dbName, 'mongodb'); // its page hint: the first page
        const ctx = clock();
        for (let i = 0; i < PAGE_SIZE + 6; i++) await a.createBead({ title: `a${i}` }, ctx());
        const late = await b.createBead({ title: 'from the replica that saw no page turn' }, ctx());
        await a.createBead({ title: 'a again' }, ctx());
        const events = await a.eventsSince(0, 1000);
        expect(events.map((e) => e.seq)).toEqual(Array.from({ length: PAGE_SIZE + 8 }, (_, i) => i + 1));
        expect(events[PAGE_SIZE + 6]).toMatchObject({ type: 'bead_created', bead_id: late.id });
        expect((await b.eventsSince(PAGE_SIZE - 1, 3)).map((e) => e.seq)).toEqual([
          PAGE_SIZE,
          PAGE_SIZE + 1,
          PAGE_SIZE + 2,
        ]);
        await a.close();
        await b.close();
      });
    });

    it('round trips per operation stay within the mongodb mode’s targets, and below compat’s', async () => {
      // 8 rounds log about 90 events: the count includes an append that turns an event page.
      const mongodb = await countRoundTrips(target.uri, freshDbName('rt'), 'mongodb', 8);
      const compat = await countRoundTrips(target.uri, freshDbName('rt'), 'compat', 2);
      for (const op of OPERATIONS) {
        expect({ op, count: mongodb.max[op] }).toEqual({ op, count: expect.any(Number) });
        expect(mongodb.max[op], op).toBeLessThanOrEqual(MONGODB_TARGETS[op]);
        expect(compat.max[op], op).toBeGreaterThan(mongodb.max[op]);
      }
      expect(mongodb.sweepPerWrite).toBeGreaterThan(0);
      expect(mongodb.sweepPerWrite).toBeLessThan(1);
    }, 120_000);
  });
}
