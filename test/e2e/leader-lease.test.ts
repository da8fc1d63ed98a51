import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { townBucket } from '../../src/bus/kv-buckets.ts';
import { type NatsServerProcess, startNatsServer } from '../../src/bus/nats-server-process.ts';
import { LeaderLease } from '../../src/services/leader-lease.ts';

const quiet = { warn: () => {}, info: () => {} };
const TTL_MS = 60_000;

/** Leases on a real nats-server: who leads when the key already names someone. */
describe('leader lease', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-lease-'));
  let server: NatsServerProcess;
  let nc: NatsConnection;
  const leases: LeaderLease[] = [];
  const open = async (id: string, key: string) => {
    const lease = await LeaderLease.open(nc, 'gt', id, TTL_MS, quiet, 1, key);
    leases.push(lease);
    let acquired = 0;
    lease.onAcquire = () => acquired++;
    await lease.start();
    return { lease, acquired: () => acquired };
  };
  beforeAll(async () => {
    server = await startNatsServer({ storeDir: join(dir, 'nats') });
    nc = await connect({ servers: server.url });
  });
  afterAll(async () => {
    for (const lease of leases) await lease.stop();
    await nc.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a key that already names this holder (a create whose answer was lost) is led at once, on its revision', async () => {
    const kv = await townBucket(nc, 'gt_leases', 1, TTL_MS);
    const id = `${process.pid}@/home/lost-answer`;
    const revision = await kv.create('refinery-alpha', id);
    const { lease, acquired } = await open(id, 'refinery-alpha');
    expect(lease.token()).toBe(revision);
    expect(acquired()).toBe(1);
  });

  it('a key held by another live holder is not taken', async () => {
    const kv = await townBucket(nc, 'gt_leases', 1, TTL_MS);
    // This process is alive: a holder of another home with its pid still leads.
    await kv.create('refinery-beta', `${process.pid}@/home/other`);
    const { lease, acquired } = await open(`${process.pid}@/home/mine`, 'refinery-beta');
    expect(lease.token()).toBeNull();
    expect(acquired()).toBe(0);
  });

  it('an empty key is created and led', async () => {
    const { lease, acquired } = await open(`${process.pid}@/home/fresh`, 'refinery-gamma');
    expect(lease.token()).toEqual(expect.any(Number));
    expect(acquired()).toBe(1);
  });
});
