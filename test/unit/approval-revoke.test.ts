import { describe, expect, it, vi } from 'vitest';
import type { ApprovalList } from '../../src/commands/gt/approval.ts';
import type { ApprovalAnswer } from '../../src/commands/gt/approval-record.ts';
import type { ApprovalRevoked } from '../../src/commands/gt/approval-revoke.ts';
import type { Actor } from '../../src/domain/actor.ts';
import type { Bead } from '../../src/domain/bead.ts';
import type { Rig } from '../../src/domain/rig.ts';
import { agentActor, ana, approvalPolicy, ben, okData, owner, refusal, vic } from './approval-fixture.ts';
import { useCommands } from './command-harness.ts';

/**
 * `gt approval revoke <rig> <n> [--version N]` over a real SQLite ledger and the one command
 * layer: a person who may approve in the rig takes a rule off its allow-list (the call asks a
 * person again); a stale version, a rule gone meanwhile or bad input changes nothing; agents,
 * runners and the service's jobs are refused by the access check.
 */
const policy = approvalPolicy(['approver']);

describe('gt approval revoke', () => {
  const h = useCommands(async (h) => {
    await h.ok('gt rig add', { name: 'alpha', prefix: 'al' });
    await h.ok('gt rig add', { name: 'beta', prefix: 'be' });
  });

  /** A polecat of alpha with a bead on its hook, and rules `npm test` (exact) and `make …` (prefix). */
  async function withRules(): Promise<{ bead: string; agent: Actor }> {
    const bead = (await h.ok<Bead>('bd create', { title: 'work in alpha', rig: 'alpha' })).id;
    await h.ok('gt sling', { id: bead });
    const [b] = await h.ok<Bead[]>('bd show', { ids: [bead] });
    h.setPolicy(policy);
    const agent = agentActor(b?.assignee as string);
    const first = (await asked(agent, bead, 'npm test')).id;
    okData(await h.run('gt approval allow', { id: first, always: true }, ana));
    const second = (await asked(agent, bead, 'make check')).id;
    okData(await h.run('gt approval allow', { id: second, always: true, prefix: 'make ' }, ana));
    return { bead, agent };
  }
  const asked = async (agent: Actor, bead: string, command: string) =>
    okData<ApprovalAnswer>(
      await h.run(
        'gt approval request',
        { bead, tool: 'Bash', input: JSON.stringify({ command }), 'timeout-s': '300' },
        agent,
      ),
    );
  const alpha = async () => (await h.ledger.getRig('alpha')) as Rig;
  const listed = async () => okData<ApprovalList>(await h.run('gt approval list', { rig: 'alpha' }, vic));

  it('lists the rules numbered with the rig’s version, and removes the one named: its call asks again', async () => {
    const { bead, agent } = await withRules();
    expect((await asked(agent, bead, 'npm test')).decision).toBe('rule');
    const list = await listed();
    const version = (await alpha()).version;
    expect(list.rules).toEqual([
      expect.objectContaining({ rig: 'alpha', n: 1, rig_version: version, value: 'npm test' }),
      expect.objectContaining({ rig: 'alpha', n: 2, rig_version: version, value: 'make ', match: 'prefix' }),
    ]);
    const listText = h.registry.get('gt approval list')?.text?.(list as never) ?? '';
    expect(listText).toContain(`alpha (version ${version}):`);
    expect(listText).toMatch(/ 1\. Bash: npm test {2}\(ana, /);
    expect(listText).toMatch(/ 2\. Bash: make … {2}\(ana, /);

    const revoked = okData<ApprovalRevoked>(
      await h.run('gt approval revoke', { rig: 'alpha', n: '1', version: String(version) }, ana),
    );
    expect(revoked).toMatchObject({
      rig: 'alpha',
      n: 1,
      removed: 'Bash: npm test',
      remaining: 1,
      version: version + 1,
    });
    // Audited by the command layer, with who and what.
    const [audit] = await h.ledger.listAudit(1);
    expect(audit).toMatchObject({
      verb: 'gt approval revoke',
      actor: 'ana',
      outcome: 'ok',
      args: expect.objectContaining({ rig: 'alpha', n: '1' }),
    });
    const text = h.registry.get('gt approval revoke')?.text?.(revoked as never);
    expect(text).toMatch(/^rig alpha: removed rule 1, Bash: npm test \(added by ana\); 1 rule remains\./);
    expect((await alpha()).approval_rules.map((r) => r.value)).toEqual(['make ']);

    // The removed rule answers nothing any more; the other one still does.
    const again = await asked(agent, bead, 'npm test');
    expect(again).toMatchObject({ state: 'pending', decision: null });
    expect(again.id).toEqual(expect.any(String));
    expect((await asked(agent, bead, 'make lint')).decision).toBe('rule');
  });

  it('refuses a stale --version, and a rule removed meanwhile, changing nothing', async () => {
    await withRules();
    const seen = await listed();
    const version = seen.rules[0]?.rig_version as number;
    okData(await h.run('gt approval revoke', { rig: 'alpha', n: '2', version: String(version) }, ana));
    const before = await alpha();

    // A second person at the list they saw before: the numbers may no longer be the same.
    const stale = refusal(
      await h.run('gt approval revoke', { rig: 'alpha', n: '1', version: String(version) }, owner),
    );
    expect(stale).toMatchObject({ kind: 'conflict', code: 'stale_version' });
    expect(stale.message).toBe(
      `the allow-list changed meanwhile (rig alpha is at version ${version + 1}, not ${version}); nothing was removed; see gt approval list --rig alpha`,
    );
    expect(await alpha()).toEqual(before);

    // The command read the list just before someone else removed the rule: the ledger's
    // compare-and-swap refuses it rather than removing another.
    const asSeen = seen.rules.map(({ rig: _r, n: _n, rig_version: _v, ...rule }) => rule);
    vi.spyOn(h.ledger, 'getRig').mockResolvedValueOnce({ ...before, approval_rules: asSeen });
    const gone = refusal(await h.run('gt approval revoke', { rig: 'alpha', n: '2' }, ana));
    expect(gone).toMatchObject({ kind: 'conflict', code: 'rule_gone' });
    expect(gone.message).toMatch(
      /^the allow-list changed meanwhile \(Bash: make … is no longer there\); nothing was removed; see gt approval list --rig alpha$/,
    );
    expect(await alpha()).toEqual(before);
    const [audit] = await h.ledger.listAudit(1);
    expect(audit).toMatchObject({ verb: 'gt approval revoke', actor: 'ana', outcome: 'refused' });
  });

  it('refuses bad input with what to do, changing nothing', async () => {
    await withRules();
    const before = await alpha();
    const events = (await h.ledger.eventsSince(0)).length;
    const refused = async (args: Record<string, unknown>) =>
      refusal(await h.run('gt approval revoke', args, owner));

    expect(await refused({ rig: 'ghost', n: '1' })).toMatchObject({
      code: 'not_found',
      message: 'rig ghost not found; see gt rig list',
    });
    expect((await refused({ rig: 'Not A Rig', n: '1' })).code).toBe('invalid_rig_name');
    expect(await refused({ rig: 'beta', n: '1' })).toMatchObject({
      code: 'no_rules',
      message:
        'rig beta has no approval rules, so there is nothing to revoke; see gt approval list --rig beta',
    });
    for (const n of ['0', '3', 'two', '1.5', '-1', ''])
      expect(await refused({ rig: 'alpha', n }), n).toMatchObject({
        code: 'bad_rule_number',
        message: `<n> must be the number of one of rig alpha's 2 approval rules (1 to 2), not ${JSON.stringify(n)}; see gt approval list --rig alpha`,
      });
    expect((await refused({ rig: 'alpha', n: '1', version: 'latest' })).message).toMatch(
      /^--version must be a whole number/,
    );
    expect((await refused({ rig: 'alpha' })).kind).toBe('usage'); // no <n>

    expect(await alpha()).toEqual(before);
    expect((await h.ledger.eventsSince(0)).length).toBe(events);
  });

  it('is a person’s, with agent:approve in that rig: agents, runners and the service are refused', async () => {
    const { agent } = await withRules();
    const before = await alpha();
    const args = { rig: 'alpha', n: '1' };
    const runner: Actor = { kind: 'system', id: 'runner:alpha' };
    const witness: Actor = { kind: 'system', id: 'witness' };
    // Never an agent's, not even one a policy role gives agent:approve (the Mayor here).
    for (const who of [agent, agentActor('mayor/'), runner, witness]) {
      const err = refusal(await h.run('gt approval revoke', args, who));
      expect(err.code, who.id).toBe('forbidden');
      expect(err.message, who.id).toMatch(/^not allowed: /);
    }
    expect(refusal(await h.run('gt approval revoke', args, vic)).message).toMatch(/needs agent:approve/);
    expect(refusal(await h.run('gt approval revoke', args, ben)).message).toMatch(
      /agent:approve on rig alpha.*; ask an admin to grant it in the policy file/,
    );
    expect(await alpha()).toEqual(before);
    // Every refusal of the policy is audited.
    const audit = await h.ledger.listAudit(6);
    expect(audit.map((a) => [a.verb, a.outcome])).toEqual(
      Array.from({ length: 6 }, () => ['gt approval revoke', 'refused']),
    );
    // The same person of beta may revoke there (the rule is per rig).
    expect(refusal(await h.run('gt approval revoke', { rig: 'beta', n: '1' }, ben)).code).toBe('no_rules');
  });
});
