import { expect, it } from 'vitest';
import { DEFAULT_GATE_TIMEOUT_S, type MergePolicy } from '../../src/domain/merge-policy.ts';
import { refusal } from './dependency.contract.ts';
import { raceIt } from './harness.ts';
import type { ContractState } from './ledger.contract.ts';

const policyEvents = async (s: ContractState) =>
  (await s.ledger.eventsSince(0)).filter((e) => e.type === 'rig_updated');

/** `setRigMergePolicy`: a compare-and-swap on the rig's version, with its `rig_updated` event. */
export function registerRigPolicyContract(s: ContractState): void {
  it("replaces a rig's merge policy: read back, the version moves, one rig_updated event", async () => {
    const rig = await s.ledger.addRig({ name: 'alpha', prefix: 'al', repo: '/srv/a.git' }, s.ctx());
    const policy: MergePolicy = {
      merge: 'direct',
      gates: ['npm test'],
      gate_timeout_s: 90,
      merge_style: 'squash',
    };
    const set = await s.ledger.setRigMergePolicy('alpha', policy, s.ctx('admin'));
    expect(set).toEqual({ ...rig, merge_policy: policy, version: rig.version + 1 });
    expect(await s.ledger.getRig('alpha')).toEqual(set);
    const events = await policyEvents(s);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      rig: 'alpha',
      bead_id: null,
      actor: 'admin',
      data: { merge_policy: policy },
    });
    const restarted = await s.fx.reopen();
    expect((await restarted.getRig('alpha'))?.merge_policy).toEqual(policy);
    await restarted.close();
  });

  it('keeps the fields not given, and writes nothing when nothing changes', async () => {
    const rig = await s.ledger.addRig({ name: 'alpha', prefix: 'al', repo: '/srv/a.git' }, s.ctx());
    const gated = await s.ledger.setRigMergePolicy('alpha', { gates: [] }, s.ctx());
    expect(gated.merge_policy).toEqual({
      merge: 'mr',
      gates: [],
      gate_timeout_s: DEFAULT_GATE_TIMEOUT_S,
      merge_style: 'rebase',
    });
    const seen = (await s.ledger.eventsSince(0)).length;
    const same = await s.ledger.setRigMergePolicy('alpha', { merge: 'mr', gates: [] }, s.ctx());
    expect(same).toEqual(gated);
    expect(same.version).toBe(rig.version + 1);
    expect((await s.ledger.eventsSince(0)).length).toBe(seen);
    expect((await s.ledger.setRigParked('alpha', true, s.ctx())).merge_policy).toEqual(gated.merge_policy);
  });

  it('refuses an unknown rig and changes nothing', async () => {
    await s.ledger.addRig({ name: 'alpha', prefix: 'al' }, s.ctx());
    const before = await s.ledger.eventsSince(0);
    const err = await refusal(s.ledger.setRigMergePolicy('ghost', { merge: 'local' }, s.ctx()));
    expect(err.kind).toBe('not_found');
    expect(await s.ledger.eventsSince(0)).toEqual(before);
    expect(await s.ledger.listRigs()).toHaveLength(1);
  });

  raceIt(s)('keeps both of two concurrent changes of different fields (no lost update)', async () => {
    const rig = await s.ledger.addRig({ name: 'alpha', prefix: 'al', repo: '/srv/a.git' }, s.ctx());
    const other = await s.fx.reopen(); // a second replica on the same store
    try {
      await Promise.all([
        s.ledger.setRigMergePolicy('alpha', { gates: ['make check'] }, s.ctx()),
        other.setRigMergePolicy('alpha', { merge_style: 'merge' }, s.ctx()),
        s.ledger.setRigMergePolicy('alpha', { gate_timeout_s: 60 }, s.ctx()),
      ]);
      const after = await s.ledger.getRig('alpha');
      expect(after?.merge_policy).toEqual({
        merge: 'mr',
        gates: ['make check'],
        gate_timeout_s: 60,
        merge_style: 'merge',
      });
      expect(after?.version).toBe(rig.version + 3);
      expect(await policyEvents(s)).toHaveLength(3);
    } finally {
      await other.close();
    }
  });
}
