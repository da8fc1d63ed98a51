import { expect, it } from 'vitest';
import type { UsageLimit } from '../../src/domain/usage-limit.ts';
import { refusal } from './dependency.contract.ts';
import { raceIt } from './harness.ts';
import type { ContractState } from './ledger.contract.ts';

const rigUpdates = async (s: ContractState) =>
  (await s.ledger.eventsSince(0)).filter((e) => e.type === 'rig_updated');

const limit = (over: Partial<UsageLimit> = {}): UsageLimit => ({
  until: '2026-11-22T15:00:07.000Z',
  reason: "You've hit your limit · resets 3pm (UTC)",
  backoff_s: 0,
  by: 'alpha/Toast',
  at: '2026-11-22T10:00:00.000Z',
  lifted_at: null,
  ...over,
});

/**
 * A rig's usage-limit pause (`setRigUsageLimit`: a compare-and-swap on the rig's version) and its
 * account (`setRigAccount`), the same on both ledgers.
 */
export function registerUsageLimitContract(s: ContractState): void {
  it('a new rig has no pause and its own account; a pause set at its version moves it with one event', async () => {
    const rig = await s.ledger.addRig({ name: 'alpha', prefix: 'al', repo: '/srv/a.git' }, s.ctx());
    expect([rig.usage_limit, rig.account]).toEqual([null, null]);
    const paused = await s.ledger.setRigUsageLimit('alpha', limit(), rig.version, s.ctx('runner:alpha'));
    expect(paused).toEqual({ ...rig, usage_limit: limit(), version: rig.version + 1 });
    expect(await s.ledger.getRig('alpha')).toEqual(paused);
    expect(await s.ledger.listRigs()).toEqual([paused]);
    const events = await rigUpdates(s);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      rig: 'alpha',
      bead_id: null,
      actor: 'runner:alpha',
      data: { usage_limit: limit() },
    });
    // Other rig writes keep it.
    expect((await s.ledger.setRigParked('alpha', true, s.ctx())).usage_limit).toEqual(limit());
    const frozen = { by: 'alice', reason: '', at: '2026-11-22T10:30:00.000Z' };
    expect((await s.ledger.setRigFrozen('alpha', frozen, s.ctx())).usage_limit).toEqual(limit());
  });

  it('refuses a pause based on a version that moved (returns null), changing nothing', async () => {
    const rig = await s.ledger.addRig({ name: 'alpha', prefix: 'al', repo: '/srv/a.git' }, s.ctx());
    const parked = await s.ledger.setRigParked('alpha', true, s.ctx());
    const before = await s.ledger.eventsSince(0);
    expect(await s.ledger.setRigUsageLimit('alpha', limit(), rig.version, s.ctx())).toBeNull();
    expect(await s.ledger.getRig('alpha')).toEqual(parked);
    expect(await s.ledger.eventsSince(0)).toEqual(before);
    // Read again, decided again: it applies.
    expect((await s.ledger.setRigUsageLimit('alpha', limit(), parked.version, s.ctx()))?.usage_limit).toEqual(
      limit(),
    );
  });

  it('lifts and clears a pause the same way, and refuses an unknown rig', async () => {
    const rig = await s.ledger.addRig({ name: 'alpha', prefix: 'al', repo: '/srv/a.git' }, s.ctx());
    const paused = (await s.ledger.setRigUsageLimit('alpha', limit(), rig.version, s.ctx())) as typeof rig;
    const lifted = limit({ lifted_at: '2026-11-22T15:00:10.000Z' });
    const after = await s.ledger.setRigUsageLimit('alpha', lifted, paused.version, s.ctx('usage-limit-lift'));
    expect(after).toEqual({ ...paused, usage_limit: lifted, version: paused.version + 1 });
    const cleared = await s.ledger.setRigUsageLimit('alpha', null, paused.version + 1, s.ctx());
    expect(cleared?.usage_limit).toBeNull();
    expect((await rigUpdates(s)).map((e) => e.data)).toEqual([
      { usage_limit: limit() },
      { usage_limit: lifted },
      { usage_limit: null },
    ]);
    expect((await refusal(s.ledger.setRigUsageLimit('ghost', limit(), 1, s.ctx()))).kind).toBe('not_found');
  });

  it('keeps the pause across a restart', async () => {
    const rig = await s.ledger.addRig({ name: 'alpha', prefix: 'al', repo: '/srv/a.git' }, s.ctx());
    const paused = await s.ledger.setRigUsageLimit('alpha', limit(), rig.version, s.ctx());
    const restarted = await s.fx.reopen();
    try {
      expect(await restarted.getRig('alpha')).toEqual(paused);
    } finally {
      await restarted.close();
    }
  });

  raceIt(s)('of concurrent pauses from two replicas at one version exactly one applies', async () => {
    const rig = await s.ledger.addRig({ name: 'alpha', prefix: 'al', repo: '/srv/a.git' }, s.ctx());
    const other = await s.fx.reopen(); // a second replica on the same store
    try {
      const pauses = [0, 1, 2, 3].map((i) =>
        limit({ by: `alpha/P${i}`, until: `2026-11-22T15:0${i}:00.000Z` }),
      );
      const results = await Promise.all(
        pauses.map((p, i) =>
          (i % 2 === 0 ? s.ledger : other).setRigUsageLimit('alpha', p, rig.version, s.ctx()),
        ),
      );
      const won = results.flatMap((r, i) => (r ? [pauses[i]] : []));
      expect(won).toHaveLength(1);
      expect(await s.ledger.getRig('alpha')).toEqual({
        ...rig,
        usage_limit: won[0],
        version: rig.version + 1,
      });
      expect(await rigUpdates(s)).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('names an account with one rig_updated event, writes nothing when unchanged, and clears it', async () => {
    const rig = await s.ledger.addRig({ name: 'alpha', prefix: 'al', repo: '/srv/a.git' }, s.ctx());
    const named = await s.ledger.setRigAccount('alpha', 'team-claude', s.ctx('alice'));
    expect(named).toEqual({ ...rig, account: 'team-claude', version: rig.version + 1 });
    expect(await s.ledger.setRigAccount('alpha', 'team-claude', s.ctx())).toEqual(named);
    const cleared = await s.ledger.setRigAccount('alpha', null, s.ctx());
    expect(cleared).toEqual({ ...named, account: null, version: named.version + 1 });
    expect((await rigUpdates(s)).map((e) => [e.actor, e.data])).toEqual([
      ['alice', { account: 'team-claude' }],
      ['tester', { account: null }],
    ]);
    expect((await refusal(s.ledger.setRigAccount('ghost', 'x', s.ctx()))).kind).toBe('not_found');
  });
}
