import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOURCES } from '../../src/domain/reply.ts';
import type { AuditRecord } from '../../src/ledger/port.ts';
import { Town } from '../e2e/town.ts';
import { writePolicy } from '../support/chat-setup.ts';

type Bead = { id: string; status: string; created_by: string };

/**
 * People on the CLI and the Mayor are principals of the same policy as chat users: the town's
 * operator holds the built-in owner role; a narrower operator the policy file names gets NATS
 * credentials of its own and only its roles; the Mayor gets what the file grants it. The
 * service, not the request, says who asked and how it arrived.
 */
describe('CLI operators and the Mayor under the policy file', () => {
  const town = new Town();
  const ids = { alpha: '', beta: '' };
  const bob = () => ({ GT_NATS_CREDS: join(town.home, 'creds', 'operator-bob.json'), GT_ACTOR: 'alice' });
  const mayor = () => ({ GT_NATS_CREDS: join(town.home, 'creds', 'mayor.json'), GT_AGENT: 'mayor/' });

  beforeAll(async () => {
    const policy = writePolicy(town, {
      roles: {
        'alpha-ops': { permissions: ['read', 'bead:write', 'sling'], rigs: ['alpha'] },
        coordinator: { permissions: ['read', 'bead:write', 'convoy:create', 'sling', 'mail:send'] },
      },
      cli: { users: { operator: ['owner'], bob: ['alpha-ops'] } },
      agents: { 'mayor/': ['coordinator'] },
    });
    await town.up(['--http-port', '0'], { GT_POLICY_FILE: policy });
    for (const rig of ['alpha', 'beta'])
      await town.json('gt', ['rig', 'add', rig, '--prefix', rig.slice(0, 2)]);
    ids.alpha = (await town.json<Bead>('bd', ['create', 'alpha work', '--rig', 'alpha'])).id;
    ids.beta = (await town.json<Bead>('bd', ['create', 'beta work', '--rig', 'beta'])).id;
  }, 60_000);
  afterAll(() => town.destroy());

  it('a named operator may do what its role reaches, under its own name whatever GT_ACTOR says', async () => {
    const refused = await town.run('bd', ['close', ids.beta], bob());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not allowed: bob may not run bd close: it needs bead:write on rig beta/);
    const park = await town.run('gt', ['rig', 'park', 'alpha'], bob());
    expect(park.stderr).toMatch(/needs admin on rig alpha/);
    const created = await town.run('bd', ['create', 'by bob', '--rig', 'alpha', '--json'], bob());
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ created_by: 'bob' });
    const [beta] = await town.json<Bead[]>('bd', ['show', ids.beta]);
    expect(beta?.status).toBe('open');
    const audit = await town.json<AuditRecord[]>('gt', ['audit', '--limit', '50']);
    expect(audit.filter((a) => a.actor === 'bob').map((a) => [a.verb, a.outcome, a.source])).toEqual([
      ['bd create', 'ok', 'cli:bob'],
      ['gt rig park', 'refused', 'cli:bob'],
      ['bd close', 'refused', 'cli:bob'],
    ]);
  });

  it("a named operator's credentials reach only its own API subject", async () => {
    const login = JSON.parse(
      (await import('node:fs')).readFileSync(join(town.home, 'creds', 'operator-bob.json'), 'utf8'),
    ) as { user: string; password: string };
    expect(login.user).toBe('operator:bob');
    const nc = await connect({ servers: town.runtime().nats_url, user: login.user, pass: login.password });
    const plain = await nc
      .request(
        'gt.api.bd.close',
        JSON.stringify({ args: { ids: [ids.beta] }, actor: { kind: 'human', id: 'x' } }),
        {
          timeout: 2000,
        },
      )
      .catch((err: Error) => err);
    await nc.close();
    expect(plain).toBeInstanceOf(Error);
    expect((await town.json<Bead[]>('bd', ['show', ids.beta]))[0]?.status).toBe('open');
  });

  it('the Mayor coordinates across rigs by its grant and decides nothing for people', async () => {
    const created = await town.run('bd', ['create', 'cross-rig step', '--rig', 'beta', '--json'], mayor());
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ created_by: 'mayor/' });
    const e = await town.json<{ id: string }>('gt', ['escalate', '-s', 'low', 'a question']);
    const decide = await town.run('gt', ['escalation', 'resolve', e.id], mayor());
    expect(decide.code).toBe(1);
    expect(decide.stderr).toMatch(/not allowed: agents may not run gt escalation resolve/);
    const launch = await town.run('gt', ['convoy', 'launch', ids.beta], mayor());
    expect(launch.stderr).toMatch(/mayor\/ may not run gt convoy launch: it needs convoy:launch/);
  });

  it('the source of a request is how it arrived, never what the request says', async () => {
    const nc = await town.connectNats();
    for (const source of ['slack', 'x'.repeat(40), 'cron'])
      await nc.request(
        'gt.api.bd.comment',
        JSON.stringify({
          args: { id: ids.alpha, text: 'hi' },
          actor: { kind: 'human', id: 'carol' },
          source,
        }),
      );
    await nc.close();
    const audit = await town.json<AuditRecord[]>('gt', ['audit', '--limit', '3']);
    expect(audit.map((a) => [a.actor, a.source])).toEqual(Array(3).fill(['carol', 'cli:operator']));
    const metrics = await (await fetch(`${town.runtime().http_url}/metrics`)).text();
    const sources = [...metrics.matchAll(/gt_commands_total\{[^}]*source="([^"]*)"/g)].map((m) => m[1]);
    for (const source of sources) expect(SOURCES).toContain(source);
    const comments = [...metrics.matchAll(/gt_commands_total\{verb="bd comment"[^}]*source="([^"]*)"/g)];
    expect(comments.map((m) => m[1])).toEqual(['cli']);
  });
});
