import { expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.ts';
import type { MqFreeze } from '../../src/domain/rig.ts';
import { refusal } from './dependency.contract.ts';
import { raceIt } from './harness.ts';
import type { ContractState } from './ledger.contract.ts';

const freezeEvents = async (s: ContractState) =>
  (await s.ledger.eventsSince(0)).filter((e) => e.type === 'rig_frozen' || e.type === 'rig_thawed');

const release: MqFreeze = { by: 'alice', reason: 'release 2.0', at: '2026-11-22T10:30:00.000Z' };

/** `setRigFrozen`: a compare-and-swap on the rig (freeze only when not frozen, thaw only when frozen). */
export function registerRigFreezeContract(s: ContractState): void {
  it('a new rig is not frozen; a freeze records who, why and when with one rig_frozen event', async () => {
    const rig = await s.ledger.addRig({ name: 'alpha', prefix: 'al', repo: '/srv/a.git' }, s.ctx());
    expect(rig.mq_frozen).toBeNull();
    expect((await s.ledger.getRig('alpha'))?.mq_frozen).toBeNull();
    const frozen = await s.ledger.setRigFrozen('alpha', release, s.ctx('alice'));
    expect(frozen).toEqual({ ...rig, mq_frozen: release, version: rig.version + 1 });
    expect(await s.ledger.getRig('alpha')).toEqual(frozen);
    expect(await s.ledger.listRigs()).toEqual([frozen]);
    const events = await freezeEvents(s);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'rig_frozen',
      rig: 'alpha',
      bead_id: null,
      actor: 'alice',
      data: { mq_frozen: release },
    });
    // Other rig writes keep it.
    expect((await s.ledger.setRigParked('alpha', true, s.ctx())).mq_frozen).toEqual(release);
    expect((await s.ledger.setRigMergePolicy('alpha', { gates: [] }, s.ctx())).mq_frozen).toEqual(release);
  });

  it('refuses a second freeze, saying who froze it and when, and changes nothing', async () => {
    await s.ledger.addRig({ name: 'alpha', prefix: 'al', repo: '/srv/a.git' }, s.ctx());
    const frozen = await s.ledger.setRigFrozen('alpha', release, s.ctx('alice'));
    const before = await s.ledger.eventsSince(0);
    const again: MqFreeze = { by: 'bob', reason: 'incident', at: '2026-11-22T11:00:00.000Z' };
    const err = await refusal(s.ledger.setRigFrozen('alpha', again, s.ctx('bob')));
    expect([err.kind, err.code, err.details]).toEqual(['conflict', 'mq_frozen', { mq_frozen: release }]);
    expect(err.message).toContain('frozen by alice 2026-11-22T10:30:00.000Z: release 2.0');
    expect(await s.ledger.getRig('alpha')).toEqual(frozen);
    expect(await s.ledger.eventsSince(0)).toEqual(before);
  });

  it('thaws a frozen rig with one rig_thawed event naming the freeze it ended', async () => {
    await s.ledger.addRig({ name: 'alpha', prefix: 'al', repo: '/srv/a.git' }, s.ctx());
    const frozen = await s.ledger.setRigFrozen('alpha', release, s.ctx('alice'));
    const thawed = await s.ledger.setRigFrozen('alpha', null, s.ctx('bob'));
    expect(thawed).toEqual({ ...frozen, mq_frozen: null, version: frozen.version + 1 });
    expect(await s.ledger.getRig('alpha')).toEqual(thawed);
    const events = await freezeEvents(s);
    expect(events.map((e) => e.type)).toEqual(['rig_frozen', 'rig_thawed']);
    expect(events[1]).toMatchObject({ rig: 'alpha', actor: 'bob', data: { mq_frozen: null, was: release } });
    // And it may be frozen again.
    const later: MqFreeze = { by: 'carol', reason: '', at: '2026-11-22T12:00:00.000Z' };
    expect((await s.ledger.setRigFrozen('alpha', later, s.ctx('carol'))).mq_frozen).toEqual(later);
  });

  it('refuses to thaw a rig that is not frozen, or an unknown rig, and changes nothing', async () => {
    const rig = await s.ledger.addRig({ name: 'alpha', prefix: 'al', repo: '/srv/a.git' }, s.ctx());
    const before = await s.ledger.eventsSince(0);
    const err = await refusal(s.ledger.setRigFrozen('alpha', null, s.ctx()));
    expect([err.kind, err.code]).toEqual(['conflict', 'mq_not_frozen']);
    expect((await refusal(s.ledger.setRigFrozen('ghost', release, s.ctx()))).kind).toBe('not_found');
    expect((await refusal(s.ledger.setRigFrozen('ghost', null, s.ctx()))).kind).toBe('not_found');
    expect(await s.ledger.getRig('alpha')).toEqual(rig);
    expect(await s.ledger.eventsSince(0)).toEqual(before);
  });

  it('keeps the freeze across a restart', async () => {
    await s.ledger.addRig({ name: 'alpha', prefix: 'al', repo: '/srv/a.git' }, s.ctx());
    const frozen = await s.ledger.setRigFrozen('alpha', release, s.ctx('alice'));
    const restarted = await s.fx.reopen();
    try {
      expect(await restarted.getRig('alpha')).toEqual(frozen);
      expect((await restarted.setRigFrozen('alpha', null, s.ctx())).mq_frozen).toBeNull();
    } finally {
      await restarted.close();
    }
    expect((await s.ledger.getRig('alpha'))?.mq_frozen).toBeNull();
  });

  raceIt(s)(
    'of concurrent freezes from two replicas exactly one wins; the others are told who froze it',
    async () => {
      const rig = await s.ledger.addRig({ name: 'alpha', prefix: 'al', repo: '/srv/a.git' }, s.ctx());
      const other = await s.fx.reopen(); // a second replica on the same store
      try {
        const people = ['alice', 'bob', 'carol', 'dan'];
        const freezes = people.map(
          (by, i): MqFreeze => ({ by, reason: `r${i}`, at: `2026-11-22T10:0${i}:00.000Z` }),
        );
        const results = await Promise.allSettled(
          freezes.map((f, i) => (i % 2 === 0 ? s.ledger : other).setRigFrozen('alpha', f, s.ctx(f.by))),
        );
        const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [freezes[i]] : []));
        expect(won).toHaveLength(1);
        const winner = won[0] as MqFreeze;
        const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as DomainError] : []));
        expect(lost.map((e) => [e instanceof DomainError, e.code, e.details])).toEqual(
          Array(people.length - 1).fill([true, 'mq_frozen', { mq_frozen: winner }]),
        );
        expect(await s.ledger.getRig('alpha')).toEqual({
          ...rig,
          mq_frozen: winner,
          version: rig.version + 1,
        });
        expect(await other.getRig('alpha')).toMatchObject({ mq_frozen: winner });
        const events = await freezeEvents(s);
        expect(events).toHaveLength(1);
        expect(events[0]).toMatchObject({ actor: winner.by, data: { mq_frozen: winner } });
      } finally {
        await other.close();
      }
    },
  );
}
