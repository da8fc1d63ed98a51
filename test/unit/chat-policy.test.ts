import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChatPolicy } from '../../src/app/policy-file.ts';
import type { Actor } from '../../src/domain/actor.ts';
import { authorize, principalOf } from '../../src/domain/authorization.ts';
import type { Permission } from '../../src/domain/permissions.ts';
import { type ChatPrincipal, EMPTY_POLICY, type Policy } from '../../src/domain/policy.ts';
import { routeFor } from '../../src/domain/routing.ts';
import { useCommands } from './command-harness.ts';

type Bead = { id: string; status: string; assignee: string | null };

const policy: Policy = {
  ...EMPTY_POLICY,
  roles: {
    viewer: { permissions: ['read'], rigs: ['*'] },
    alphaOps: { permissions: ['read', 'sling', 'escalation:ack'], rigs: ['alpha'] },
    approver: { permissions: ['read', 'escalation:approve'], rigs: ['*'] },
    admin: { permissions: ['admin'], rigs: ['*'] },
  },
  members: {
    slack: { users: { U_OPS: ['alphaOps'], U_ADMIN: ['admin'] }, groups: { S_APPROVERS: ['approver'] } },
    discord: { users: { '42': ['viewer'] }, groups: { R_ADMIN: ['admin'] } },
  },
  criticalRequires: 'escalation:approve-critical',
};
const slack = (user: string, groups: string[] = []): ChatPrincipal => ({ platform: 'slack', user, groups });
const as = (p: ChatPrincipal): Actor => ({ kind: 'human', id: `${p.platform}:${p.user}`, principal: p });

/** What the policy says of a chat principal needing `permission` in `rigs` (null: allowed). */
function decide(
  p: ChatPrincipal,
  need: { permission: Permission; rigs: string[]; critical?: boolean },
): string | null {
  const access = { permission: need.permission, agent: 'never', runner: 'never', system: 'never' } as const;
  const denial = authorize(
    'x',
    access,
    principalOf(as(p), policy),
    { rigs: need.rigs, critical: need.critical ?? false },
    policy,
  );
  return denial?.replace(/^.* it needs /, '') ?? null;
}

describe('chat policy', () => {
  it('grants by user and by group, per rig; admin implies everything; critical needs more', () => {
    expect(decide(slack('U_OPS'), { permission: 'sling', rigs: ['alpha'] })).toBeNull();
    expect(decide(slack('U_OPS'), { permission: 'sling', rigs: ['beta'] })).toBe('sling on rig beta');
    expect(decide(slack('U_OPS'), { permission: 'sling', rigs: [] })).toBe(
      'sling on every rig (town-level work)',
    );
    expect(
      decide(slack('U_X', ['S_APPROVERS']), { permission: 'escalation:approve', rigs: ['beta'] }),
    ).toBeNull();
    expect(
      decide(slack('U_X', ['S_APPROVERS']), {
        permission: 'escalation:approve',
        rigs: ['beta'],
        critical: true,
      }),
    ).toBe('escalation:approve-critical (the escalation is critical)');
    expect(
      decide(slack('U_ADMIN'), {
        permission: 'escalation:approve',
        rigs: ['beta'],
        critical: true,
      }),
    ).toBeNull();
    expect(
      decide({ platform: 'discord', user: '7', groups: ['R_ADMIN'] }, { permission: 'admin', rigs: [] }),
    ).toBeNull();
    // A Slack id means nothing on Discord.
    expect(
      decide({ platform: 'discord', user: 'U_ADMIN', groups: [] }, { permission: 'read', rigs: [] }),
    ).toBe('read on every rig (town-level work)');
    // Ids that are names of Object.prototype's members name nobody (found by fuzzing).
    for (const user of ['constructor', '__proto__', 'toString'])
      expect(decide(slack(user, [user]), { permission: 'read', rigs: [] })).toBe(
        'read on every rig (town-level work)',
      );
  });

  it('routes escalations by rig and severity, first match wins', () => {
    const routing = {
      escalations: [
        {
          rigs: ['alpha'],
          severities: ['critical' as const],
          channel: { slack: 'C_PAGE', discord: null },
          mention: { slack: '<!subteam^S1>', discord: null },
        },
        {
          rigs: ['*'],
          severities: ['high' as const, 'critical' as const],
          channel: { slack: 'C_OPS', discord: 'D1' },
          mention: { slack: null, discord: null },
        },
      ],
      convoys: { slack: null, discord: null },
    };
    expect(routeFor(routing, 'alpha', 'critical')?.channel.slack).toBe('C_PAGE');
    expect(routeFor(routing, 'beta', 'critical')?.channel.slack).toBe('C_OPS');
    expect(routeFor(routing, 'alpha', 'low')).toBeNull();
  });

  it('reads the policy file, and says precisely what is wrong with a bad one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gt-policy-'));
    const file = join(dir, 'policy.json');
    writeFileSync(
      file,
      JSON.stringify({ roles: { ops: { permissions: ['sling'] } }, slack: { users: { U1: ['ops'] } } }),
    );
    const loaded = loadChatPolicy({ GT_POLICY_FILE: file });
    expect(loaded.policy.roles.ops).toEqual({ permissions: ['sling'], rigs: ['*'] });
    expect(loaded.policy.members.slack.users).toEqual({ U1: ['ops'] });
    writeFileSync(file, JSON.stringify({ roles: { ops: { permissions: ['fly'] } }, extra: 1 }));
    expect(() => loadChatPolicy({ GT_POLICY_FILE: file })).toThrow(
      /roles\.ops\.permissions\.0[\s\S]*extra|extra[\s\S]*roles\.ops/,
    );
    expect(() => loadChatPolicy({ GT_POLICY_FILE: join(dir, 'nope.json') })).toThrow(/does not exist/);
    // The shipped default parses and grants nobody anything.
    expect(Object.values(loadChatPolicy({}).policy.members.slack.users)).toEqual([]);
  });
});

describe('chat principals in the command layer', () => {
  const h = useCommands(async (h) => {
    await h.ok('gt rig add', { name: 'alpha', prefix: 'al' });
    await h.ok('gt rig add', { name: 'beta', prefix: 'be' });
  });
  const withPolicy = () => h.setPolicy(policy);

  it('authorizes per rig, refuses with what is missing, and changes nothing on refusal', async () => {
    withPolicy();
    const a = (await h.ok<Bead>('bd create', { title: 'a', rig: 'alpha' })).id;
    const b = (await h.ok<Bead>('bd create', { title: 'b', rig: 'beta' })).id;
    const ops = as(slack('U_OPS'));
    expect(await h.run('gt sling', { id: a }, ops)).toMatchObject({ ok: true });
    const refused = await h.run('gt sling', { id: b }, ops);
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: expect.stringContaining('sling on rig beta') },
    });
    expect((await h.ok<Bead[]>('bd show', { ids: [b] }))[0]?.status).toBe('open');
    expect(await h.run('bd list', {}, as(slack('U_NOBODY')))).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await h.run('bd list', {}, ops)).toMatchObject({ ok: true });
    expect(await h.run('gt rig park', { name: 'alpha' }, ops)).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const audit = await h.ledger.listAudit(1);
    expect(audit[0]).toMatchObject({ actor: 'slack:U_OPS', verb: 'gt rig park', outcome: 'refused' });
  });

  it('decisions on critical escalations need the critical permission', async () => {
    withPolicy();
    const e = await h.ok<{ id: string }>('gt escalate', { summary: 'prod down', severity: 'critical' });
    const approver = as(slack('U_A', ['S_APPROVERS']));
    expect(await h.run('gt escalation resolve', { id: e.id }, approver)).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: expect.stringContaining('approve-critical') },
    });
    expect(await h.run('gt escalation resolve', { id: e.id }, as(slack('U_ADMIN')))).toMatchObject({
      ok: true,
    });
  });

  it('lists for help only what the principal may run', () => {
    withPolicy();
    const verbs = (p: ChatPrincipal) => h.registry.verbsFor(p).map((d) => d.path.join(' '));
    expect(verbs(slack('U_OPS'))).toContain('gt sling');
    expect(verbs(slack('U_OPS'))).not.toContain('gt escalation resolve');
    expect(verbs(slack('U_OPS'))).not.toContain('gt rig add');
    expect(verbs(slack('U_NOBODY'))).toEqual([]);
    expect(verbs(slack('U_ADMIN'))).toContain('gt rig add');
  });
});
