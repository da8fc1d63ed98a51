import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceUnavailable } from '../../src/bus/api-client.ts';
import { type NatsServerProcess, startNatsServer } from '../../src/bus/nats-server-process.ts';
import { ApiSession } from '../../src/cli/api-session.ts';

/**
 * A CLI session (`gt convoy watch`, `gt demo`) rides out the moment after a NATS restart when it
 * is back before the service has re-subscribed: "nobody answers" is retried for a grace period.
 * A real nats-server; the service is stood in for by a responder that starts late.
 */
describe('CLI API session', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-session-'));
  const home = join(dir, 'home');
  let server: NatsServerProcess;
  let nc: NatsConnection;
  beforeAll(async () => {
    server = await startNatsServer({ storeDir: join(dir, 'nats') });
    nc = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await nc.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = { GT_HOME: home, GT_ACTOR: 'alice' };

  it('keeps asking while nobody answers, and gets the answer once the service is there', async () => {
    const session = await ApiSession.open(server.url, env, 'test', { home });
    try {
      const answer = session.run<string[]>('gt', ['rig', 'list']);
      await new Promise((r) => setTimeout(r, 1_000));
      const sub = nc.subscribe('gt.api.>', {
        callback: (_err, msg) => {
          msg.respond(JSON.stringify({ ok: true, data: ['alpha'] }));
        },
      });
      await nc.flush();
      try {
        expect(await answer).toEqual(['alpha']);
      } finally {
        sub.unsubscribe();
      }
    } finally {
      await session.close();
    }
  });

  it('asks a read again when its request is lost (a server dying under it), and never a write', async () => {
    const session = await ApiSession.open(server.url, env, 'lost', { home, answerTimeoutMs: 3_000 });
    const seen: string[] = [];
    // A service whose first answer is lost: it hears each request but answers only the second one.
    const sub = nc.subscribe('gt.api.>', {
      callback: (_err, msg) => {
        seen.push(msg.subject);
        if (seen.filter((s) => s === msg.subject).length > 1)
          msg.respond(JSON.stringify({ ok: true, data: ['alpha'] }));
      },
    });
    await nc.flush();
    try {
      expect(await session.run<string[]>('gt', ['rig', 'list'])).toEqual(['alpha']);
      expect(seen).toEqual(['gt.api.gt.rig.list', 'gt.api.gt.rig.list']);
      seen.length = 0;
      await expect(session.run('bd', ['create', 'once'])).rejects.toThrow();
      expect(seen).toEqual(['gt.api.bd.create']);
    } finally {
      sub.unsubscribe();
      await session.close();
    }
  });

  it('reports nobody answering at once when its grace is zero (a probe)', async () => {
    const session = await ApiSession.open(server.url, env, 'probe', { home, unansweredGraceMs: 0 });
    try {
      const started = Date.now();
      await expect(session.run('gt', ['rig', 'list'])).rejects.toBeInstanceOf(ServiceUnavailable);
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      await session.close();
    }
  });
});
