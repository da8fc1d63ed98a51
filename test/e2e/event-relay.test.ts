import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type JetStreamManager, jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NatsServerProcess, startNatsServer } from '../../src/bus/nats-server-process.ts';
import { ensureStreams, eventsStream } from '../../src/bus/streams.ts';
import type { Ledger, LedgerEvent } from '../../src/ledger/port.ts';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.ts';
import { EventRelay } from '../../src/services/event-relay.ts';

/**
 * The relay between the ledger (the outbox) and the events stream, on a real nats-server and a
 * real SQLite file: every event once and in order (batches are pipelined), its mark kept for a
 * restart, a mark that trails absorbed by deduplication, and a wake during a pump never lost.
 */
const ctx = () => ({ actor: 'tester', now: new Date() });
/** Polls without wakes in these tests: an hour, so only wake() can make the relay publish. */
const NO_POLL_MS = 3_600_000;

describe('event relay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-relay-'));
  let server: NatsServerProcess;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let ledger: SqliteLedger;
  const errors: unknown[] = [];
  const log = { error: (obj: object) => errors.push(obj) };

  beforeAll(async () => {
    server = await startNatsServer({ storeDir: join(dir, 'nats') });
    nc = await connect({ servers: server.url });
    jsm = await ensureStreams(nc, 'gt');
    ledger = new SqliteLedger({ path: join(dir, 'ledger.db') });
    await ledger.init();
  });
  afterAll(async () => {
    await ledger.close();
    await nc.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const storedCount = async () => (await jsm.streams.info(eventsStream('gt'))).state.messages;
  const waitStored = async (n: number, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while ((await storedCount()) < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return storedCount();
  };
  const storedSeqs = async (n: number): Promise<number[]> => {
    const consumer = await jetstream(nc).consumers.get(eventsStream('gt'));
    const seqs: number[] = [];
    const messages = await consumer.fetch({ max_messages: n, expires: 5_000 });
    for await (const m of messages) seqs.push(m.json<LedgerEvent>().seq);
    return seqs;
  };
  const mark = async () => Number((await (await new Kvm(nc).open('gt_relay')).get('hwm'))?.string());

  it('publishes every event once, in ledger order, across batches, and saves its mark', async () => {
    const relay = await EventRelay.open(nc, ledger, 'gt', log);
    await relay.start(NO_POLL_MS);
    for (let i = 0; i < 1_200; i++) await ledger.createBead({ title: `bead ${i}` }, ctx());
    relay.wake();
    const events = await ledger.eventsSince(0, 10_000);
    expect(events.length).toBeGreaterThan(1_000); // more than two batches of 500
    expect(await waitStored(events.length)).toBe(events.length);
    await relay.stop();
    expect(await storedSeqs(events.length)).toEqual(events.map((e) => e.seq));
    expect(await mark()).toBe(events.at(-1)?.seq);
    expect(errors).toEqual([]);
  });

  it('republishes from a mark that trails after a crash, and the stream keeps each event once', async () => {
    const before = await storedCount();
    await (await new Kvm(nc).open('gt_relay')).put('hwm', '0'); // the mark write was lost
    const relay = await EventRelay.open(nc, ledger, 'gt', log);
    await relay.start(NO_POLL_MS);
    await ledger.createBead({ title: 'after the restart' }, ctx());
    relay.wake();
    expect(await waitStored(before + 1)).toBe(before + 1);
    await relay.stop();
    expect(await storedCount()).toBe(before + 1);
    expect(await mark()).toBe((await ledger.eventsSince(0, 10_000)).at(-1)?.seq);
  });

  it('publishes at once what is written and woken for while a pump is under way', async () => {
    let relay: EventRelay | null = null;
    let armed = false;
    // The real ledger, except that the pump's read which finds nothing left writes an event and
    // wakes the relay just before it returns: the moment a wake used to be lost (until the poll).
    const racing = new Proxy(ledger, {
      get(target, prop, receiver) {
        if (prop !== 'eventsSince') return Reflect.get(target, prop, receiver);
        return async (seq: number, limit?: number) => {
          const events = await target.eventsSince(seq, limit);
          if (armed && events.length === 0) {
            armed = false;
            await target.createBead({ title: 'written during the pump' }, ctx());
            relay?.wake();
          }
          return events;
        };
      },
    }) as Ledger;
    relay = await EventRelay.open(nc, racing, 'gt', log);
    await relay.start(NO_POLL_MS);
    const before = await storedCount();
    armed = true;
    await ledger.createBead({ title: 'first' }, ctx());
    relay.wake();
    expect(await waitStored(before + 2, 5_000)).toBe(before + 2);
    await relay.stop();
    expect(errors).toEqual([]);
  });

  it('a relay stopped during a backlog ends after its batch in flight; the next one publishes the rest', async () => {
    const before = await storedCount();
    const first = (await ledger.eventsSince(0, 100_000)).at(-1)?.seq ?? 0;
    for (let i = 0; i < 1_100; i++) await ledger.createBead({ title: `backlog ${i}` }, ctx());
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let reads = 0;
    // The first read of the backlog waits until stop() was called: stopping meets a pump mid-way.
    const slow = new Proxy(ledger, {
      get(target, prop, receiver) {
        if (prop !== 'eventsSince') return Reflect.get(target, prop, receiver);
        return async (seq: number, limit?: number) => {
          if (reads++ === 0) await held;
          return target.eventsSince(seq, limit);
        };
      },
    }) as Ledger;
    const relay = await EventRelay.open(nc, slow, 'gt', log);
    await relay.start(NO_POLL_MS);
    const stopped = relay.stop();
    release();
    await stopped;
    // One batch of 500 published, not the 1,100-event backlog.
    expect(await storedCount()).toBe(before + 500);
    expect(await mark()).toBe(first + 500);
    const next = await EventRelay.open(nc, ledger, 'gt', log);
    await next.start(NO_POLL_MS);
    expect(await waitStored(before + 1_100)).toBe(before + 1_100);
    await next.stop();
    expect(errors).toEqual([]);
  });
});
