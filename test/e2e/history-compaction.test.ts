import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsStream } from '../../src/bus/streams.ts';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.ts';
import { waitFor } from './runner-process.ts';
import { Town } from './town.ts';

const OLD_BEADS = 20;

interface CompactionLine {
  msg: string;
  removed: { events: number; audit: number; keys: number };
  policy: { events: { belowSeq: number } | null };
}

/** The `history compaction` lines the service logged (pino JSON). */
const compactions = (output: string): CompactionLine[] =>
  output
    .split('\n')
    .filter((l) => l.includes('"history compaction"'))
    .map((l) => JSON.parse(l) as CompactionLine);

/**
 * The retention job in the real service (issue 20): on a ledger whose events are 100 days old,
 * the leader deletes those the relay has published — never the newest — and what is written
 * afterwards is still relayed.
 */
describe('history compaction job', () => {
  const town = new Town();
  beforeAll(async () => {
    const ledger = new SqliteLedger({ path: join(town.home, 'ledger.db') });
    await ledger.init();
    const longAgo = () => ({ actor: 'seed', now: new Date(Date.now() - 100 * 86_400_000) });
    for (let i = 0; i < OLD_BEADS; i++) await ledger.createBead({ title: `old ${i}` }, longAgo());
    await ledger.close();
    await town.up(['--http-port', '0'], { GT_LOG_LEVEL: 'info', GT_RETENTION_INTERVAL_S: '1' });
  }, 60_000);
  afterAll(() => town.destroy());

  it('deletes old published events on the leader and keeps relaying new ones', async () => {
    await waitFor(
      () => compactions(town.serviceOutput).some((c) => c.removed.events > 0),
      20_000,
      () => `no compaction removed events:\n${town.serviceOutput}`,
    );
    const runs = compactions(town.serviceOutput);
    // Once the relay's mark is saved (all 20 published), all but the newest go, once.
    expect(runs.reduce((n, c) => n + c.removed.events, 0)).toBe(OLD_BEADS - 1);
    expect(runs.every((c) => c.policy.events === null || c.policy.events.belowSeq <= OLD_BEADS)).toBe(true);
    await town.json('bd', ['create', 'after the compaction']);
    const nc = await town.connectNats();
    try {
      const jsm = await jetstreamManager(nc);
      const lastSeq = async () => (await jsm.streams.info(eventsStream('gt'))).state.last_seq;
      await waitFor(
        async () => (await lastSeq()) > OLD_BEADS,
        10_000,
        () => 'the new event was not relayed',
      );
    } finally {
      await nc.close();
    }
  });
});
