import { type CommandStartedEvent, MongoClient } from 'mongodb';
import type { MongoMode } from '../../src/ledger/mongo/mode.ts';
import { MongoLedger } from '../../src/ledger/mongo/mongo-ledger.ts';
import type { WriteContext } from '../../src/ledger/port.ts';
import { mailFixture } from './mail-fixture.ts';

/**
 * Round trips per ledger operation, counted from the MongoDB driver's command monitoring: every
 * command the client sends is one round trip to the server, whatever this machine's speed. Used by
 * the ledger benchmark (BENCHMARKS.md) and by a test that fails when a count grows past its target.
 *
 * The operations, at the ledger's level (the command layer adds its own reads and one audit insert):
 *  - create: a top-level bead in a rig;
 *  - sling: the two writes `gt sling` makes, a polecat slot and the claim of the bead;
 *  - close: a bead nothing waits on;
 *  - close with a feed: a bead one other bead waits on (that one becomes ready);
 *  - mail send; escalation decision (`gt escalation ack`: a claim with a label).
 * The outbox sweep (mongodb mode) runs on a timer, off these paths: its cost per write is a row of
 * its own, measured over many writes.
 */
export const OPERATIONS = [
  'create',
  'sling',
  'close',
  'close with a feed',
  'mail send',
  'escalation decision',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** The mongodb mode's targets (issue: ≤ 4 for create, sling and close). */
export const MONGODB_TARGETS: Record<Operation, number> = {
  create: 4,
  sling: 4,
  close: 4,
  'close with a feed': 8,
  'mail send': 4,
  'escalation decision': 4,
};

/** Commands the driver sends on its own (monitoring, auth, sessions): not the operation's. */
const HOUSEKEEPING = new Set([
  'hello',
  'ismaster',
  'isMaster',
  'ping',
  'saslStart',
  'saslContinue',
  'endSessions',
]);

export interface RoundTrips {
  /** Per operation: the most commands any repetition sent (the figure a target bounds). */
  max: Record<Operation, number>;
  /** Per operation: the commands of every repetition. */
  samples: Record<Operation, number[]>;
  /** Commands of one outbox sweep divided by the writes it cleared (0 in compat: none is swept). */
  sweepPerWrite: number;
}

export async function countRoundTrips(
  uri: string,
  dbName: string,
  mode: MongoMode,
  reps = 5,
): Promise<RoundTrips> {
  const client = new MongoClient(uri, { monitorCommands: true, serverSelectionTimeoutMS: 5000 });
  let counted = 0;
  client.on('commandStarted', (e: CommandStartedEvent) => {
    if (!HOUSEKEEPING.has(e.commandName)) counted++;
  });
  // The sweep's timer must not fire inside a measured operation: it is measured on its own below.
  const ledger = new MongoLedger(client, dbName, { mode, upkeepEveryMs: 3_600_000 });
  await ledger.init();
  let t = Date.parse('2026-12-05T10:00:00.000Z');
  const ctx = (actor = 'bench'): WriteContext => ({ actor, now: new Date(t++) });
  const measure = async (op: () => Promise<unknown>) => {
    const before = counted;
    await op();
    return counted - before;
  };
  const max = Object.fromEntries(OPERATIONS.map((o) => [o, 0])) as Record<Operation, number>;
  const samples = Object.fromEntries(OPERATIONS.map((o) => [o, []])) as unknown as Record<
    Operation,
    number[]
  >;
  const note = (o: Operation, n: number) => {
    max[o] = Math.max(max[o], n);
    samples[o].push(n);
  };
  try {
    await ledger.addRig({ name: 'alpha', prefix: 'al', repo: '/srv/alpha.git' }, ctx());
    await ledger.createBead({ title: 'warm-up: the rig and its prefix count are read once' }, ctx());
    await ledger.createBead({ title: 'warm-up', rig: 'alpha' }, ctx());
    for (let i = 0; i < reps; i++) await oneRound(ledger, ctx, i, measure, note);
    const before = counted;
    const swept = await ledger.flushOutbox();
    const sweepPerWrite = mode === 'mongodb' && swept > 0 ? (counted - before) / swept : 0;
    return { max, samples, sweepPerWrite };
  } finally {
    await ledger.close();
    const admin = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
    await admin
      .db(dbName)
      .dropDatabase()
      .finally(() => admin.close());
  }
}

async function oneRound(
  ledger: MongoLedger,
  ctx: (actor?: string) => WriteContext,
  i: number,
  measure: (op: () => Promise<unknown>) => Promise<number>,
  note: (o: Operation, n: number) => void,
): Promise<void> {
  let bead = { id: '' };
  note(
    'create',
    await measure(async () => (bead = await ledger.createBead({ title: `work ${i}`, rig: 'alpha' }, ctx()))),
  );
  const polecat = `alpha/p${i}`;
  const sling = async () => {
    await ledger.takeSlot('alpha', bead.id, [`p${i}`], ctx());
    await ledger.claimBead(
      bead.id,
      { expect: { status: 'open', assignee: null }, set: { status: 'hooked', assignee: polecat } },
      ctx(),
    );
  };
  note('sling', await measure(sling));
  note('close', await measure(() => ledger.closeBead(bead.id, {}, ctx(polecat))));

  const blocker = await ledger.createBead({ title: `blocker ${i}`, rig: 'alpha' }, ctx());
  const waiting = await ledger.createBead({ title: `waits ${i}`, rig: 'alpha' }, ctx());
  await ledger.addDependency(waiting.id, blocker.id, 'blocks', ctx());
  note('close with a feed', await measure(() => ledger.closeBead(blocker.id, {}, ctx())));

  const mail = mailFixture(`mail-${i}`, {
    to: polecat,
    thread_id: `thread-${i}`,
    created_at: ctx().now.toISOString(),
  });
  note('mail send', await measure(() => ledger.putMail(mail, ctx())));

  const escalation = await ledger.createBead({ title: `escalation ${i}`, issue_type: 'escalation' }, ctx());
  const ack = () =>
    ledger.claimBead(
      escalation.id,
      {
        expect: { status: 'open', assignee: null, version: 1 },
        set: { status: 'open', assignee: 'alice', add_labels: ['acked'] },
      },
      ctx('alice'),
    );
  note('escalation decision', await measure(ack));
}
