import { expect, it } from 'vitest';
import type { ApprovalRule } from '../../src/domain/approval-rules.ts';
import { refusal } from './dependency.contract.ts';
import { raceIt } from './harness.ts';
import type { ContractState } from './ledger.contract.ts';

const rule = (value: string, over: Partial<ApprovalRule> = {}): ApprovalRule => ({
  tool: 'Bash',
  match: 'exact',
  value,
  by: 'slack:U1',
  at: '2026-12-05T10:00:00.000Z',
  ...over,
});

const ruleEvents = async (s: ContractState) =>
  (await s.ledger.eventsSince(0)).filter((e) => e.type === 'rig_updated' && 'approval_rules' in e.data);

/**
 * `addRigApprovalRule` and `removeRigApprovalRule`: a rig's approval allow-list, grown and shrunk by
 * compare-and-swap on the rig.
 */
export function registerApprovalRulesContract(s: ContractState): void {
  it("adds a rule to a rig's allow-list: read back, the version moves, one rig_updated event, kept on restart", async () => {
    const rig = await s.ledger.addRig({ name: 'alpha', prefix: 'al' }, s.ctx());
    expect(rig.approval_rules).toEqual([]);
    const added = await s.ledger.addRigApprovalRule('alpha', rule('npm test'), s.ctx('slack:U1'));
    expect(added).toEqual({ ...rig, approval_rules: [rule('npm test')], version: rig.version + 1 });
    expect(await s.ledger.getRig('alpha')).toEqual(added);
    const events = await ruleEvents(s);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      rig: 'alpha',
      bead_id: null,
      actor: 'slack:U1',
      data: { approval_rules: [rule('npm test')] },
    });
    const restarted = await s.fx.reopen();
    expect((await restarted.getRig('alpha'))?.approval_rules).toEqual([rule('npm test')]);
    await restarted.close();
  });

  it('writes nothing for a rule already there, and keeps rules through other rig changes', async () => {
    await s.ledger.addRig({ name: 'alpha', prefix: 'al' }, s.ctx());
    const once = await s.ledger.addRigApprovalRule('alpha', rule('npm test'), s.ctx());
    const seen = (await s.ledger.eventsSince(0)).length;
    // The same tool, match and value by someone else, later: the same rule.
    const again = await s.ledger.addRigApprovalRule(
      'alpha',
      rule('npm test', { by: 'bob', at: '2026-12-06T00:00:00.000Z' }),
      s.ctx(),
    );
    expect(again).toEqual(once);
    expect((await s.ledger.eventsSince(0)).length).toBe(seen);
    const prefix = await s.ledger.addRigApprovalRule('alpha', rule('npm test', { match: 'prefix' }), s.ctx());
    expect(prefix.approval_rules.map((r) => r.match)).toEqual(['exact', 'prefix']);
    expect((await s.ledger.setRigParked('alpha', true, s.ctx())).approval_rules).toEqual(
      prefix.approval_rules,
    );
    const policy = await s.ledger.setRigMergePolicy('alpha', { merge: 'local' }, s.ctx());
    expect(policy.approval_rules).toEqual(prefix.approval_rules);
  });

  // The limit (MAX_RULES) is checked by the same domain function in both adapters, inside their
  // compare-and-swap: test/unit/approval-rules.test.ts covers it without 200 writes.
  it('refuses an unknown rig, changing nothing', async () => {
    await s.ledger.addRig({ name: 'alpha', prefix: 'al' }, s.ctx());
    const before = await s.ledger.eventsSince(0);
    expect((await refusal(s.ledger.addRigApprovalRule('ghost', rule('ls'), s.ctx()))).kind).toBe('not_found');
    expect(await s.ledger.eventsSince(0)).toEqual(before);
  });

  raceIt(s)('keeps both of two concurrent adds (no lost update)', async () => {
    const rig = await s.ledger.addRig({ name: 'alpha', prefix: 'al' }, s.ctx());
    const other = await s.fx.reopen(); // a second replica on the same store
    try {
      await Promise.all([
        s.ledger.addRigApprovalRule('alpha', rule('make check'), s.ctx()),
        other.addRigApprovalRule('alpha', rule('npm test'), s.ctx()),
        s.ledger.addRigApprovalRule('alpha', rule('src/', { tool: 'Edit', match: 'prefix' }), s.ctx()),
      ]);
      const after = await s.ledger.getRig('alpha');
      expect(after?.approval_rules.map((r) => r.value).sort()).toEqual(['make check', 'npm test', 'src/']);
      expect(after?.version).toBe(rig.version + 3);
      expect(await ruleEvents(s)).toHaveLength(3);
    } finally {
      await other.close();
    }
  });

  it("removes a rule from a rig's allow-list: the others kept in order, the version moves, one rig_updated event", async () => {
    await s.ledger.addRig({ name: 'alpha', prefix: 'al' }, s.ctx());
    await s.ledger.addRigApprovalRule('alpha', rule('npm test'), s.ctx());
    await s.ledger.addRigApprovalRule('alpha', rule('make check'), s.ctx());
    const full = await s.ledger.addRigApprovalRule(
      'alpha',
      rule('src/', { tool: 'Edit', match: 'prefix' }),
      s.ctx(),
    );
    // The rule as another reader holds it (by and at do not make it another rule).
    const removed = await s.ledger.removeRigApprovalRule(
      'alpha',
      rule('make check', { by: 'someone', at: '2030-01-01T00:00:00.000Z' }),
      s.ctx('slack:U2'),
      full.version,
    );
    expect(removed).toEqual({
      ...full,
      approval_rules: [rule('npm test'), rule('src/', { tool: 'Edit', match: 'prefix' })],
      version: full.version + 1,
    });
    expect(await s.ledger.getRig('alpha')).toEqual(removed);
    const events = await ruleEvents(s);
    expect(events).toHaveLength(4);
    expect(events[3]).toMatchObject({
      rig: 'alpha',
      bead_id: null,
      actor: 'slack:U2',
      data: { approval_rules: removed.approval_rules },
    });
    // Without an expected version: only the rule must still be there.
    const last = await s.ledger.removeRigApprovalRule('alpha', rule('npm test'), s.ctx());
    expect(last.approval_rules).toEqual([rule('src/', { tool: 'Edit', match: 'prefix' })]);
    expect(last.version).toBe(full.version + 2);
    const restarted = await s.fx.reopen();
    expect((await restarted.getRig('alpha'))?.approval_rules).toEqual(last.approval_rules);
    await restarted.close();
  });

  it('refuses a removal of a rule no longer there, at a stale version, or of an unknown rig, changing nothing', async () => {
    await s.ledger.addRig({ name: 'alpha', prefix: 'al' }, s.ctx());
    const rig = await s.ledger.addRigApprovalRule('alpha', rule('npm test'), s.ctx());
    const before = await s.ledger.eventsSince(0);
    const gone = await refusal(
      s.ledger.removeRigApprovalRule('alpha', rule('npm test', { match: 'prefix' }), s.ctx()),
    );
    expect(gone).toMatchObject({ kind: 'conflict', code: 'rule_gone' });
    expect(gone.message).toMatch(/the allow-list changed meanwhile .*; see gt approval list --rig alpha/);
    const stale = await refusal(
      s.ledger.removeRigApprovalRule('alpha', rule('npm test'), s.ctx(), rig.version - 1),
    );
    expect(stale).toMatchObject({ kind: 'conflict', code: 'stale_version' });
    expect(stale.message).toMatch(/the allow-list changed meanwhile .*; see gt approval list --rig alpha/);
    expect((await refusal(s.ledger.removeRigApprovalRule('ghost', rule('npm test'), s.ctx()))).kind).toBe(
      'not_found',
    );
    expect(await s.ledger.getRig('alpha')).toEqual(rig);
    expect(await s.ledger.eventsSince(0)).toEqual(before);
  });

  raceIt(s)(
    'removes a rule once of two concurrent removals at the same version; the other is refused',
    async () => {
      await s.ledger.addRig({ name: 'alpha', prefix: 'al' }, s.ctx());
      await s.ledger.addRigApprovalRule('alpha', rule('make check'), s.ctx());
      const rig = await s.ledger.addRigApprovalRule('alpha', rule('npm test'), s.ctx());
      const other = await s.fx.reopen(); // a second replica on the same store
      try {
        const outcomes = await Promise.allSettled([
          s.ledger.removeRigApprovalRule('alpha', rule('npm test'), s.ctx(), rig.version),
          other.removeRigApprovalRule('alpha', rule('npm test'), s.ctx(), rig.version),
          s.ledger.removeRigApprovalRule('alpha', rule('make check'), s.ctx(), rig.version),
        ]);
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        const after = await s.ledger.getRig('alpha');
        expect(after?.version).toBe(rig.version + 1);
        expect(after?.approval_rules).toHaveLength(1);
        expect(await ruleEvents(s)).toHaveLength(3);
      } finally {
        await other.close();
      }
    },
  );
}
