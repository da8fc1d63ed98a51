import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from '../../src/bus/api-client.ts';
import { serveApi } from '../../src/bus/api-server.ts';
import { type NatsServerProcess, startNatsServer } from '../../src/bus/nats-server-process.ts';

/**
 * A reply bigger than the NATS server's max_payload cannot be sent: the API answers with a clear
 * refusal instead of leaving the caller to time out. Real nats-server with a 64 KiB max_payload.
 */
describe('API replies larger than max_payload', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-payload-'));
  let nats: NatsServerProcess;
  let server: NatsConnection;
  let client: NatsConnection;
  const faults: Error[] = [];
  beforeAll(async () => {
    nats = await startNatsServer({ storeDir: dir, maxPayload: 64 * 1024 });
    server = await connect({ servers: nats.url });
    client = await connect({ servers: nats.url });
    serveApi(
      server,
      'gt',
      async (call) => {
        if (call.verb === 'bd show') throw new Error('ledger went away mid-write');
        return {
          ok: true,
          data: Array.from({ length: Number((call.args as { n: number }).n) }, (_, i) => ({
            id: `al-${i}`,
            title: 'x'.repeat(100),
          })),
        };
      },
      (err) => faults.push(err as Error),
    );
  });
  afterAll(async () => {
    await client.close();
    await server.close();
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = (n: number) =>
    callApi(client, 'gt', { verb: 'bd list', args: { n }, actor: { kind: 'human', id: 't' } }, 5_000);

  it('answers normally below the limit and refuses clearly above it, without a timeout', async () => {
    expect(client.info?.max_payload).toBe(64 * 1024);
    const small = await call(10);
    expect(small.ok).toBe(true);
    const started = Date.now();
    const big = await call(5_000);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(big).toMatchObject({ ok: false, error: { code: 'reply_too_large' } });
    expect(big.ok ? '' : big.error.message).toMatch(
      /answer is 0\.\d MiB, more than NATS carries in one message \(0\.1 MiB\); narrow it/,
    );
  });

  it('answers at once with an internal error, and reports it, when execution itself throws', async () => {
    const started = Date.now();
    const reply = await callApi(
      client,
      'gt',
      { verb: 'bd show', args: {}, actor: { kind: 'human', id: 't' } },
      5_000,
    );
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(reply).toMatchObject({ ok: false, error: { kind: 'internal', code: 'internal' } });
    expect(faults.map((e) => e.message)).toEqual(['ledger went away mid-write']);
  });
});
