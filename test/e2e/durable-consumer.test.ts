import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backoff, consumeDurable } from '../../src/bus/durable-consumer.ts';
import { type NatsServerProcess, startNatsServer } from '../../src/bus/nats-server-process.ts';
import { ensureStreams, eventsStream } from '../../src/bus/streams.ts';

/**
 * A message whose handling keeps failing (a chat platform refusing a post) is retried with
 * growing waits on a real JetStream consumer — never dropped, never hammered.
 */
describe('durable consumer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-retry-'));
  let server: NatsServerProcess;
  let nc: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer({ storeDir: dir });
    nc = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await nc.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('backs off 1 s, 2 s, 4 s … up to its cap', () => {
    const wait = backoff(5 * 60_000);
    expect([1, 2, 3, 4, 9, 10, 50, 1000].map(wait)).toEqual([
      1000, 2000, 4000, 8000, 256_000, 300_000, 300_000, 300_000,
    ]);
  });

  it('waits as long as retryDelayMs says between deliveries, and delivers once it succeeds', async () => {
    const jsm = await ensureStreams(nc, 'gt');
    const seen: Array<{ at: number; deliveries: number }> = [];
    const failures: number[] = [];
    const stop = await consumeDurable(
      nc,
      jsm,
      eventsStream('gt'),
      'retry-test',
      'gt.evt.retry_test.>',
      async (msg) => {
        seen.push({ at: Date.now(), deliveries: msg.info.deliveryCount });
        if (seen.length < 4) throw new Error('platform says no');
      },
      (_err, deliveries) => failures.push(deliveries),
      { retryDelayMs: (n) => n * 400 },
    );
    await jetstream(nc).publish('gt.evt.retry_test.town', '{}');
    for (let i = 0; i < 60 && seen.length < 4; i++) await new Promise((r) => setTimeout(r, 100));
    await stop();
    expect(seen.map((s) => s.deliveries)).toEqual([1, 2, 3, 4]);
    expect(failures).toEqual([1, 2, 3]);
    const gaps = seen.slice(1).map((s, i) => s.at - (seen[i] as { at: number }).at);
    // 400, 800, 1200 ms asked (a little scheduling slack either way).
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual((i + 1) * 400 - 50);
      expect(gap).toBeLessThan((i + 1) * 400 + 1500);
    });
  });

  it('a stop waits for the message in hand only; the buffered ones go back and another consumer handles them', async () => {
    const jsm = await ensureStreams(nc, 'gt');
    const handled: string[] = [];
    let release: () => void = () => {};
    const inHand = new Promise<void>((r) => {
      release = r;
    });
    let started: () => void = () => {};
    const first = new Promise<void>((r) => {
      started = r;
    });
    const consume = (handle: (body: string) => Promise<void>) =>
      consumeDurable(
        nc,
        jsm,
        eventsStream('gt'),
        'stop-test',
        'gt.evt.stop_test.>',
        async (msg) => {
          await handle(msg.string());
          handled.push(msg.string());
        },
        () => {},
        // A message that was on its way when the pull closed comes back after this.
        { ackWaitMs: 1_000 },
      );
    const stop = await consume(async () => {
      started();
      await inHand; // a slow handler: the rest of the pull waits in the client's buffer
    });
    for (let i = 0; i < 6; i++) await jetstream(nc).publish('gt.evt.stop_test.town', `m${i}`);
    await first;
    const stopping = stop();
    release();
    await stopping;
    // Only the message in hand was handled by the stopped consumer.
    expect(handled).toEqual(['m0']);
    const stopNext = await consume(async () => {});
    const all = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'];
    for (let i = 0; i < 200 && new Set(handled).size < all.length; i++)
      await new Promise((r) => setTimeout(r, 50));
    await stopNext();
    // At least once each (JetStream may deliver a handed-back message twice; handlers are idempotent).
    expect([...new Set(handled)].sort()).toEqual(all);
  });
});
