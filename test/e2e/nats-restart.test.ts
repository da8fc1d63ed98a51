import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type NatsServerProcess, startNatsServer } from '../../src/bus/nats-server-process.ts';
import { Town } from './town.ts';

type Bead = { id: string; status: string };

/** The service rides out a nats-server restart: it reconnects, and dispatch and feeding go on (issue 4 item 5). */
describe('nats-server restart under a running service', () => {
  const town = new Town();
  let nats: NatsServerProcess;
  let port: number;
  const store = () => join(town.home, 'external-nats');
  beforeAll(async () => {
    port = await freePort();
    nats = await startNatsServer({ storeDir: store(), port });
    await town.up(['--http-port', '0', '--nats', nats.url]);
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al']);
  }, 60_000);
  afterAll(async () => {
    await town.destroy();
    await nats.stop();
  });

  it('reports not ready while NATS is down, recovers, and still feeds and dispatches once', async () => {
    const a = (await town.json<Bead>('bd', ['create', 'A', '--rig', 'alpha'])).id;
    const b = (await town.json<Bead>('bd', ['create', 'B', '--rig', 'alpha'])).id;
    await town.json('bd', ['dep', 'add', b, a]);
    const { convoy_id } = await town.json<{ convoy_id: string }>('gt', ['convoy', 'launch', a, b]);
    // A live `gt convoy watch` rides out the restart too and ends when the convoy lands.
    const watching = town.run('gt', ['convoy', 'watch', convoy_id, '--timeout', '28']);
    await new Promise((r) => setTimeout(r, 1000));
    await nats.stop();
    const down = await fetch(`${town.runtime().http_url}/readyz`);
    expect(down.status).toBe(503);
    nats = await startNatsServer({ storeDir: store(), port });
    let ready = 0;
    for (let i = 0; i < 100 && ready !== 200; i++) {
      ready = (await fetch(`${town.runtime().http_url}/readyz`)).status;
      if (ready !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ready).toBe(200);
    const metrics = await (await fetch(`${town.runtime().http_url}/metrics`)).text();
    expect(metrics).toMatch(/^gt_nats_reconnects_total [1-9]/m);
    await town.json('bd', ['close', a]);
    let status = '';
    for (let i = 0; i < 100 && status !== 'hooked'; i++) {
      status = (await town.json<Bead[]>('bd', ['show', b]))[0]?.status ?? '';
      if (status !== 'hooked') await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe('hooked');
    const nc = await connect({ servers: nats.url });
    try {
      const jsm = await jetstreamManager(nc);
      let ids: string[] = [];
      for (let i = 0; i < 50 && ids.length < 2; i++) {
        const { state } = await jsm.streams.info('GT_DISPATCH');
        ids = [];
        for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
          const msg = await jsm.streams.getMessage('GT_DISPATCH', { seq }).catch(() => null);
          if (msg) ids.push(msg.json<{ bead_id: string }>().bead_id);
        }
        if (ids.length < 2) await new Promise((r) => setTimeout(r, 100));
      }
      expect(ids.sort()).toEqual([a, b].sort());
    } finally {
      await nc.close();
    }
    await town.json('bd', ['close', b]);
    const watched = await watching;
    expect(watched.code, watched.stderr + watched.stdout.slice(-2000)).toBe(0);
  }, 60_000);
});
