import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from '../../src/bus/api-client.ts';
import type { CredentialsFile } from '../../src/bus/credentials.ts';
import { inboxPrefixFor } from '../../src/bus/subjects.ts';
import type { Reply } from '../../src/domain/reply.ts';
import type { AuditRecord } from '../../src/ledger/port.ts';
import { gitRepo, RunnerProcess, waitFor } from '../e2e/runner-process.ts';
import { Town } from '../e2e/town.ts';

type Bead = { id: string; status: string; assignee: string | null };

/**
 * Least privilege, tried as an attacker would: a real town (its own nats-server with per-agent
 * users, real rig runners, real polecat processes), and nothing but one polecat's own NATS
 * credentials — the ones its runner hands it. Every request goes over the raw NATS API, not
 * through the CLI a hostile agent would not use. Each refusal answers "not allowed" with what is
 * missing, changes nothing, and leaves an audit record.
 */
describe('an agent of rig alpha, with its own credentials, against the town', () => {
  const town = new Town();
  const runners: RunnerProcess[] = [];
  let attacker: NatsConnection;
  let self = '';
  const fixture = {
    own: '',
    sibling: '',
    siblingAgent: '',
    beta: '',
    betaAgent: '',
    critical: '',
    secret: '',
  };

  /** One slung bead of `rig`, hooked to a running polecat; resolves with the bead and its agent. */
  async function working(rig: string): Promise<{ id: string; agent: string }> {
    const { id } = await town.json<Bead>('bd', ['create', `work of ${rig}`, '--rig', rig]);
    await town.json('gt', ['sling', id]);
    const [bead] = await town.json<Bead[]>('bd', ['show', id]);
    return { id, agent: bead?.assignee as string };
  }
  const polecatPid = async (agent: string) =>
    (await town.json<Array<{ address: string; pid: number | null }>>('gt', ['polecats'])).find(
      (p) => p.address === agent,
    )?.pid ?? null;

  beforeAll(async () => {
    await town.up();
    // Polecats that stay at work until stopped, so hooks and processes stay put during the attack.
    for (const rig of ['alpha', 'beta']) {
      const repo = gitRepo();
      await town.json('gt', [
        'rig',
        'add',
        rig,
        '--prefix',
        rig.slice(0, 2),
        '--repo',
        repo,
        '--merge',
        'local',
        '--command',
        'exec sleep 600',
      ]);
      runners.push(await RunnerProcess.start(town, rig));
    }
    const own = await working('alpha');
    const sibling = await working('alpha');
    const beta = await working('beta');
    Object.assign(fixture, {
      own: own.id,
      sibling: sibling.id,
      siblingAgent: sibling.agent,
      beta: beta.id,
      betaAgent: beta.agent,
    });
    self = own.agent;
    await waitFor(
      async () => (await polecatPid(beta.agent)) !== null,
      20_000,
      () => 'beta polecat never started',
    );
    const critical = await town.json<{ id: string }>('gt', [
      'escalate',
      '-s',
      'critical',
      'beta is down',
      '--bead',
      beta.id,
      '--agent',
      beta.agent,
      '--propose',
      'release',
    ]);
    fixture.critical = critical.id;
    const [mail] = await town.json<Array<{ id: string }>>('gt', [
      'mail',
      'send',
      sibling.agent,
      '-s',
      'deploy keys',
      '-m',
      'the secret is hunter2',
    ]);
    fixture.secret = mail?.id as string;
    const [rig, name] = self.split('/') as [string, string];
    const creds = JSON.parse(
      readFileSync(join(town.home, 'creds', `runner-${rig}.json`), 'utf8'),
    ) as CredentialsFile;
    const login = creds.polecats?.[name] as CredentialsFile;
    attacker = await connect({
      servers: town.runtime().nats_url,
      user: login.user,
      pass: login.password,
      inboxPrefix: inboxPrefixFor('gt', { kind: 'agent', rig, name }),
    });
  }, 120_000);
  afterAll(async () => {
    await attacker?.close();
    for (const r of runners) await r.stop();
    await town.destroy();
  });

  /** A request as the attacker, on its own identified subject (the only API subject it may use). */
  const asAgent = (verb: string, args: Record<string, unknown>): Promise<Reply> =>
    callApi(attacker, 'gt', { verb, args, actor: { kind: 'agent', id: self } }, 10_000);

  const refusals: Array<[string, () => Record<string, unknown>, RegExp]> = [
    [
      'gt escalation resolve',
      () => ({ id: fixture.critical, action: 'release' }),
      /agents may not run gt escalation resolve: .*escalation:approve/,
    ],
    [
      'gt escalation retire',
      () => ({ id: fixture.critical, why: 'cleared' }),
      /agents may not run gt escalation retire/,
    ],
    ['gt escalation ack', () => ({ id: fixture.critical }), /agents may not run gt escalation ack/],
    ['bd close', () => ({ ids: [fixture.beta] }), /only on its own work: .* belongs to rig beta/],
    [
      'bd close',
      () => ({ ids: [fixture.sibling], force: true }),
      /only on its own work: .*assigned to alpha\//,
    ],
    [
      'bd update',
      () => ({ id: fixture.own, assignee: fixture.siblingAgent }),
      /may not assign beads to others/,
    ],
    ['gt done', () => ({ agent: fixture.siblingAgent }), /act only for itself/],
    [
      'gt polecat stop',
      () => ({ agent: fixture.betaAgent }),
      /agents may not run gt polecat stop: .*polecat:manage/,
    ],
    ['gt polecat release', () => ({ agent: fixture.siblingAgent }), /agents may not run gt polecat release/],
    ['gt audit', () => ({}), /agents may not run gt audit: .*audit:read/],
    ['gt mail read', () => ({ id: fixture.secret }), /not addressed to it/],
    ['gt mail thread', () => ({ id: fixture.secret }), /no part in the thread/],
    ['gt mail send', () => ({ to: self, subject: 'Re', 'reply-to': fixture.secret }), /could not see/],
    ['gt mail inbox', () => ({ agent: fixture.siblingAgent }), /is not its mailbox/],
    ['bd create', () => ({ title: 'x', rig: 'beta' }), /only in its own rig \(alpha\)/],
    [
      'gt sling',
      () => ({ id: fixture.beta }),
      /needs sling, which an agent has only when the policy file grants it/,
    ],
    ['gt rig add', () => ({ name: 'evil', prefix: 'ev' }), /agents may not run gt rig add/],
    ['gt convoy create', () => ({ words: ['mine', fixture.beta] }), /needs convoy:create/],
  ];

  it.each(refusals)('%s is refused, saying what is missing', async (verb, args, why) => {
    const reply = await asAgent(verb, args());
    expect(reply).toMatchObject({
      ok: false,
      error: { kind: 'refused', code: 'forbidden', message: expect.stringMatching(/^not allowed: /) },
    });
    expect(reply.ok ? '' : reply.error.message).toMatch(why);
  });

  it('a malformed agent address is a usage error naming the rule, not an internal error', async () => {
    for (const bad of ['a..b', 'alpha/', '/Toast', 'alpha/Toast/x', '*', 'alpha/*', '>'])
      expect(await asAgent('gt heartbeat', { agent: bad })).toMatchObject({
        ok: false,
        error: { kind: 'usage', code: 'invalid_agent', message: expect.stringContaining('<rig>/<name>') },
      });
  });

  it('speaking for someone else or on the plain API subject gets nowhere', async () => {
    const impersonating = await callApi(
      attacker,
      'gt',
      { verb: 'gt done', args: {}, actor: { kind: 'agent', id: fixture.siblingAgent } },
      10_000,
    ).catch((err: Error) => err);
    // The client sends on the claimed agent's subject, which this user may not publish on.
    expect(impersonating).toBeInstanceOf(Error);
    const asPerson = await callApi(
      attacker,
      'gt',
      { verb: 'bd close', args: { ids: [fixture.beta] }, actor: { kind: 'human', id: 'alice' } },
      3_000,
    ).catch((err: Error) => err);
    expect(asPerson).toBeInstanceOf(Error);
  });

  it('after the attack nothing changed, and every refusal is in the audit trail', async () => {
    const beads = await town.json<Bead[]>('bd', ['show', fixture.own, fixture.sibling, fixture.beta]);
    expect(beads.map((b) => [b.status, b.assignee])).toEqual([
      ['hooked', self],
      ['hooked', fixture.siblingAgent],
      ['hooked', fixture.betaAgent],
    ]);
    const [escalation] = await town.json<Array<{ id: string; status: string; severity: string }>>('gt', [
      'escalation',
      'list',
    ]);
    expect(escalation).toMatchObject({ id: fixture.critical, status: 'open', severity: 'critical' });
    expect(await polecatPid(fixture.betaAgent)).not.toBeNull();
    expect((await town.json<Bead[]>('bd', ['list', '--rig', 'beta', '--all'])).map((b) => b.id)).toEqual([
      fixture.beta,
    ]);
    expect(
      (await town.json<Array<{ name: string }>>('gt', ['rig', 'list'])).map((r) => r.name),
    ).not.toContain('evil');
    const audit = await town.json<AuditRecord[]>('gt', ['audit', '--limit', '500']);
    const refused = audit.filter((a) => a.actor === self && a.outcome === 'refused');
    for (const [verb] of refusals) expect(refused.map((a) => a.verb)).toContain(verb);
    expect(refused.every((a) => a.actor_kind === 'agent' && a.source === 'agent')).toBe(true);
    expect(JSON.stringify(audit)).not.toContain('hunter2');
  });

  it('its own work still goes through: hook, heartbeat, mail, escalate, new beads, done', async () => {
    expect(await asAgent('gt hook', {})).toMatchObject({ ok: true, data: { bead: { id: fixture.own } } });
    expect(await asAgent('gt heartbeat', { activity: 'working' })).toMatchObject({ ok: true });
    expect(await asAgent('gt mail send', { to: 'mayor/', subject: 'status' })).toMatchObject({ ok: true });
    expect(await asAgent('gt escalate', { summary: 'need a decision', severity: 'low' })).toMatchObject({
      ok: true,
    });
    expect(await asAgent('bd create', { title: 'found a bug' })).toMatchObject({
      ok: true,
      data: { rig: 'alpha' },
    });
    expect(await asAgent('bd comment', { id: fixture.sibling, text: 'I need this first' })).toMatchObject({
      ok: true,
    });
    expect(await asAgent('gt done', {})).toMatchObject({ ok: true, data: { id: fixture.own } });
  });
});
