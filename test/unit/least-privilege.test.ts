import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actor.ts';
import { EMPTY_POLICY, type Policy } from '../../src/domain/policy.ts';
import type { Reply } from '../../src/domain/reply.ts';
import { useCommands } from './command-harness.ts';

type Bead = { id: string; status: string; assignee: string | null; rig: string | null };
type Mail = { id: string; body: string; from: string; to: string };

/**
 * The one policy through the command layer (docs/security.md): agents act on their own work,
 * the Mayor on what the policy file grants it, named CLI operators and chat users only where
 * their roles reach — and every refusal says what is missing, changes nothing and is audited.
 */
const policy: Policy = {
  ...EMPTY_POLICY,
  roles: {
    coordinator: { permissions: ['read', 'bead:write', 'convoy:create', 'sling', 'mail:send'], rigs: ['*'] },
    'alpha-approver': {
      permissions: ['read', 'bead:write', 'convoy:launch', 'escalation:ack', 'escalation:approve'],
      rigs: ['alpha'],
    },
  },
  operators: { operator: ['owner'], bob: ['alpha-approver'] },
  agents: { 'mayor/': ['coordinator'] },
};

describe('least privilege in the command layer', () => {
  const h = useCommands(async (h) => {
    await h.ok('gt rig add', { name: 'alpha', prefix: 'al', 'max-polecats': '3' });
    await h.ok('gt rig add', { name: 'beta', prefix: 'be', 'max-polecats': '3' });
    h.setPolicy(policy);
  });
  const { run, ok } = h;
  const toast: Actor = { kind: 'agent', id: 'alpha/Toast' };
  const mayor: Actor = { kind: 'agent', id: 'mayor/' };
  const bob: Actor = { kind: 'human', id: 'bob', operator: 'bob' };
  const create = async (rig: string, title = 'w') => (await ok<Bead>('bd create', { title, rig })).id;
  /** A bead of `rig` slung, and the polecat it went to. */
  const hooked = async (rig: string) => {
    const id = await create(rig);
    await ok('gt sling', { id });
    return { id, agent: (await ok<Bead[]>('bd show', { ids: [id] }))[0]?.assignee as string };
  };
  const refusedFor = (reply: Reply, missing: RegExp) =>
    expect(reply).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: expect.stringMatching(missing) },
    });
  const status = async (id: string) => (await ok<Bead[]>('bd show', { ids: [id] }))[0]?.status;

  it('an agent closes its own bead, never another agent’s or another rig’s', async () => {
    const mine = await hooked('alpha');
    expect(mine.agent).toBe('alpha/Toast');
    const theirs = await hooked('alpha');
    const beta = await create('beta');
    refusedFor(
      await run('bd close', { ids: [theirs.id] }, toast),
      /only on its own work: .*assigned to alpha\/\w+/,
    );
    refusedFor(await run('bd close', { ids: [beta] }, toast), /belongs to rig beta/);
    refusedFor(await run('bd update', { id: mine.id, assignee: 'alpha/Nux' }, toast), /may not assign/);
    expect([await status(theirs.id), await status(beta)]).toEqual(['hooked', 'open']);
    expect(await run('bd close', { ids: [mine.id] }, toast)).toMatchObject({ ok: true });
    const audit = await h.ledger.listAudit(10);
    expect(audit.filter((a) => a.outcome === 'refused' && a.actor === 'alpha/Toast')).toHaveLength(3);
  });

  it('an agent creates in its own rig, comments there, and finishes only its own hook', async () => {
    const mine = await hooked('alpha');
    const other = await hooked('alpha');
    refusedFor(await run('bd create', { title: 'x', rig: 'beta' }, toast), /only in its own rig \(alpha\)/);
    expect(await run('bd comment', { id: other.id, text: 'I depend on this' }, toast)).toMatchObject({
      ok: true,
    });
    refusedFor(await run('gt done', { agent: other.agent }, toast), /act only for itself/);
    expect(await status(other.id)).toBe('hooked');
    expect(await run('gt done', {}, toast)).toMatchObject({ ok: true, data: { id: mine.id } });
    expect(await run('gt heartbeat', { agent: 'a..b' }, toast)).toMatchObject({
      ok: false,
      error: { kind: 'usage', code: 'invalid_agent', message: expect.stringContaining('<rig>/<name>') },
    });
  });

  it('an agent decides no escalation, controls no polecat, reads no audit trail', async () => {
    const other = await hooked('beta');
    const e = await ok<{ id: string }>('gt escalate', {
      summary: 'prod down',
      severity: 'critical',
      agent: other.agent,
      bead: other.id,
    });
    refusedFor(
      await run('gt escalation resolve', { id: e.id, action: 'release' }, toast),
      /agents may not run/,
    );
    refusedFor(await run('gt escalation retire', { id: e.id, why: 'fixed' }, toast), /agents may not run/);
    refusedFor(await run('gt escalation ack', { id: e.id }, toast), /agents may not run/);
    refusedFor(await run('gt polecat stop', { agent: other.agent }, toast), /agents may not run/);
    refusedFor(await run('gt audit', {}, toast), /agents may not run gt audit/);
    expect(h.stops).toEqual([]);
    expect((await ok<Array<{ status: string }>>('gt escalation list', {}))[0]?.status).toBe('open');
  });

  it('an escalation is decided by gt escalation only: bd cannot forge who decided it', async () => {
    const e = await ok<{ id: string }>('gt escalate', { summary: 'stuck', severity: 'high' });
    const forge = [
      run('bd close', { ids: [e.id], reason: 'Resolved: acknowledged by slack:U0VICTIM' }),
      run('bd update', { id: e.id, assignee: 'slack:U0VICTIM', 'add-label': ['gt:acked'] }),
      run('bd label add', { id: e.id, label: 'gt:acked' }),
    ];
    for (const reply of await Promise.all(forge))
      expect(reply).toMatchObject({
        ok: false,
        error: {
          message: expect.stringContaining('does not decide escalations — use `gt escalation ack|resolve'),
        },
      });
    expect(await run('bd update', { id: e.id, description: 'more detail' })).toMatchObject({ ok: true });
    expect((await ok<Array<{ id: string; status: string }>>('bd show', { ids: [e.id] }))[0]?.status).toBe(
      'open',
    );
  });

  it('mail is for its sender and recipient: no reading, threading or replying into others’ mail', async () => {
    const [secret] = await ok<Mail[]>('gt mail send', {
      to: 'alpha/Nux',
      subject: 'keys',
      message: 'hunter2',
    });
    const id = secret?.id as string;
    refusedFor(await run('gt mail read', { id }, toast), /needs mail:admin|not addressed to it/);
    refusedFor(await run('gt mail thread', { id }, toast), /no part in the thread/);
    refusedFor(
      await run('gt mail send', { to: 'alpha/Nux', subject: 'Re', 'reply-to': id }, toast),
      /could not see/,
    );
    refusedFor(await run('gt mail send', { to: '@beta', subject: 'spam' }, toast), /own rig's group only/);
    expect(await run('gt mail send', { to: '@alpha', subject: 'hi all' }, toast)).toMatchObject({ ok: true });
    const audit = await h.ledger.listAudit(50);
    expect(JSON.stringify(audit)).not.toContain('hunter2');
    expect(audit.find((a) => a.verb === 'gt mail send' && a.args.subject === 'keys')?.args).toEqual({
      to: 'alpha/Nux',
      subject: 'keys',
    });
  });

  it('mail to a named person is theirs on chat: read and answered from their account, no one else’s', async () => {
    h.setPolicy({
      ...policy,
      roles: { ...policy.roles, chat: { permissions: ['read', 'mail:send'], rigs: ['*'] } },
      members: {
        slack: { users: { U_ALICE: ['chat'], U_EVE: ['chat'] }, groups: {} },
        discord: { users: {}, groups: {} },
      },
      people: { alice: { slack: 'U_ALICE' } },
    });
    const [mail] = await ok<Mail[]>('gt mail send', {
      to: 'alice',
      human: true,
      subject: 'q',
      message: 'ship?',
    });
    const chat = (user: string): Actor => ({
      kind: 'human',
      id: `slack:${user}`,
      principal: { platform: 'slack', user, groups: [] },
    });
    const reply = { to: 'human:mayor', subject: 'Re: q', message: 'yes', 'reply-to': mail?.id };
    expect(await run('gt mail read', { id: mail?.id }, chat('U_ALICE'))).toMatchObject({ ok: true });
    expect(await run('gt mail send', reply, chat('U_ALICE'))).toMatchObject({ ok: true });
    refusedFor(await run('gt mail read', { id: mail?.id }, chat('U_EVE')), /needs mail:admin/);
    refusedFor(await run('gt mail send', reply, chat('U_EVE')), /needs mail:admin/);
  });

  it('the Mayor coordinates across rigs by the grant of the policy file, not by its name', async () => {
    const beta = (await run('bd create', { title: 'plan', rig: 'beta' }, mayor)) as { ok: true; data: Bead };
    expect(beta).toMatchObject({ ok: true, data: { rig: 'beta' } });
    expect(await run('gt sling', { id: beta.data.id }, mayor)).toMatchObject({ ok: true });
    const e = await ok<{ id: string }>('gt escalate', { summary: 'decide', severity: 'low' });
    refusedFor(await run('gt escalation resolve', { id: e.id }, mayor), /agents may not run/);
    refusedFor(await run('gt convoy launch', { ids: [beta.data.id] }, mayor), /needs convoy:launch/);
    h.setPolicy({ ...policy, agents: {} });
    refusedFor(await run('gt sling', { id: await create('beta') }, mayor), /policy file grants it/);
  });

  it('a named operator works where its role reaches, including the target of a reassignment', async () => {
    const alpha = await hooked('alpha');
    const beta = await create('beta');
    refusedFor(
      await run('bd close', { ids: [beta] }, bob),
      /bob may not run bd close: it needs bead:write on rig beta/,
    );
    refusedFor(await run('gt rig park', { name: 'alpha' }, bob), /needs admin on rig alpha/);
    const e = await ok<{ id: string }>('gt escalate', {
      summary: 'stuck',
      severity: 'medium',
      agent: alpha.agent,
      bead: alpha.id,
      propose: ['reassign:beta/Toast'],
    });
    refusedFor(
      await run('gt escalation resolve', { id: e.id, action: 'reassign:beta/Toast', force: true }, bob),
      /escalation:approve on rig beta/,
    );
    expect((await ok<Bead[]>('bd show', { ids: [alpha.id] }))[0]?.assignee).toBe(alpha.agent);
    expect(await run('gt escalation resolve', { id: e.id, action: 'acknowledge' }, bob)).toMatchObject({
      ok: true,
    });
    const convoy = await ok<{ id: string }>('gt convoy create', { words: ['both', alpha.id, beta] });
    refusedFor(
      await run('gt convoy close', { convoy: convoy.id, force: true }, bob),
      /convoy:launch on rig beta/,
    );
    expect(await run('bd list', {}, { kind: 'human', id: 'eve', operator: 'eve' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });
});
