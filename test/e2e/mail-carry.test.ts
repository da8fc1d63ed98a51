import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMailbox } from '../../src/agent/mailbox.ts';
import { connectService } from '../../src/bus/connection.ts';
import { freePort, type NatsServerProcess, startNatsServer } from '../../src/bus/nats-server-process.ts';
import type { Mail } from '../../src/domain/mail.ts';
import { Town } from './town.ts';

/**
 * Mail carried over JetStream (issue 4 item 1): stored by the service, carried to the agent's
 * subject, delivered when the agent comes back — exactly once, even across a nats-server restart.
 */
describe('mail over JetStream', () => {
  const town = new Town();
  let nats: NatsServerProcess;
  let port: number;
  const storeDir = () => join(town.home, 'shared-nats');
  beforeAll(async () => {
    port = await freePort();
    nats = await startNatsServer({ storeDir: storeDir(), port });
    await town.up(['--http-port', '0', '--nats', nats.url]);
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al']);
  }, 60_000);
  afterAll(async () => {
    await town.destroy();
    await nats.stop();
  });

  it('mail sent while the agent is away arrives once when it connects, after a nats-server restart', async () => {
    const sent = await town.json<Mail[]>('gt', [
      'mail',
      'send',
      'alpha/witness',
      '-s',
      'while you were out',
      '-m',
      'hi',
    ]);
    await new Promise((r) => setTimeout(r, 500)); // let the carrier publish before the outage
    await nats.stop();
    nats = await startNatsServer({ storeDir: storeDir(), port });
    const nc = await connectService(nats.url, 'witness');
    const received: Mail[] = [];
    const box = await openMailbox(nc, 'gt', { kind: 'agent', id: 'alpha/witness' }, async (m) => {
      received.push(m);
    });
    for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    await box.close();
    // A second session of the same agent gets nothing again: the ledger has the ack.
    const again: Mail[] = [];
    const box2 = await openMailbox(nc, 'gt', { kind: 'agent', id: 'alpha/witness' }, async (m) => {
      again.push(m);
    });
    await new Promise((r) => setTimeout(r, 1000));
    await box2.close();
    await nc.close();
    expect(received.map((m) => m.id)).toEqual([sent[0]?.id]);
    expect(again).toEqual([]);
    const [shown] = await town.json<Mail[]>('gt', ['mail', 'inbox', '--agent', 'alpha/witness']);
    expect(shown).toMatchObject({ acked_by: 'alpha/witness', read_by: 'alpha/witness' });
  }, 60_000);
});
