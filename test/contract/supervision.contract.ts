import { expect, it } from 'vitest';
import type { ContractState } from './ledger.contract.ts';

/** The supervision reads and the compare-and-swaps escalation decisions rest on. */
export function registerSupervisionContract(s: ContractState): void {
  it('a claim with an expected version applies only at that version, labels and priority in the same step', async () => {
    await s.ledger.addRig({ name: 'alpha', prefix: 'al', max_polecats: 3 }, s.ctx());
    const bead = await s.ledger.createBead({ title: 'w', rig: 'alpha', labels: ['respawns:1'] }, s.ctx());
    const stale = { status: 'open' as const, assignee: null, version: bead.version - 1 };
    const set = { status: 'hooked' as const, assignee: 'alpha/Toast' };
    expect(await s.ledger.claimBead(bead.id, { expect: stale, set }, s.ctx())).toBeNull();
    const claimed = await s.ledger.claimBead(
      bead.id,
      {
        expect: { status: 'open', assignee: null, version: bead.version },
        set: { ...set, priority: 1, add_labels: ['respawns:2'], remove_labels: ['respawns:1'] },
      },
      s.ctx(),
    );
    expect(claimed).toMatchObject({
      status: 'hooked',
      assignee: 'alpha/Toast',
      priority: 1,
      labels: ['respawns:2'],
    });
    expect(claimed?.version).toBeGreaterThan(bead.version);
  });

  it('counts beads by type and status in one read', async () => {
    expect(await s.ledger.countBeads()).toEqual([]);
    const a = await s.ledger.createBead({ title: 'a' }, s.ctx());
    await s.ledger.createBead({ title: 'b' }, s.ctx());
    await s.ledger.createBead({ title: 'c', issue_type: 'bug' }, s.ctx());
    await s.ledger.createBead({ title: 'convoy', issue_type: 'convoy' }, s.ctx());
    await s.ledger.updateBead(a.id, { status: 'in_progress' }, s.ctx());
    const sorted = (await s.ledger.countBeads()).sort((x, y) =>
      `${x.issue_type}/${x.status}`.localeCompare(`${y.issue_type}/${y.status}`),
    );
    expect(sorted).toEqual([
      { issue_type: 'bug', status: 'open', count: 1 },
      { issue_type: 'convoy', status: 'open', count: 1 },
      { issue_type: 'task', status: 'in_progress', count: 1 },
      { issue_type: 'task', status: 'open', count: 1 },
    ]);
  });

  it('lists every slot with its bead’s hook state in one read', async () => {
    await s.ledger.addRig({ name: 'alpha', prefix: 'al', max_polecats: 3 }, s.ctx());
    await s.ledger.addRig({ name: 'beta', prefix: 'be', max_polecats: 3 }, s.ctx());
    const a = await s.ledger.createBead({ title: 'a', rig: 'alpha', labels: ['x'] }, s.ctx());
    const b = await s.ledger.createBead({ title: 'b', rig: 'beta' }, s.ctx());
    await s.ledger.takeSlot('beta', b.id, ['Toast'], s.ctx());
    await s.ledger.takeSlot('alpha', a.id, ['Nux'], s.ctx());
    await s.ledger.takeSlot('alpha', 'al-gone', ['Toast'], s.ctx());
    await s.ledger.claimBead(
      a.id,
      { expect: { status: 'open', assignee: null }, set: { status: 'hooked', assignee: 'alpha/Nux' } },
      s.ctx(),
    );
    const after = await s.ledger.getBead(a.id);
    expect(await s.ledger.listSlotHooks()).toEqual([
      {
        rig: 'alpha',
        name: 'Nux',
        bead_id: a.id,
        taken_at: expect.any(String),
        bead: {
          id: a.id,
          status: 'hooked',
          assignee: 'alpha/Nux',
          labels: ['x'],
          updated_at: after?.updated_at,
        },
      },
      { rig: 'alpha', name: 'Toast', bead_id: 'al-gone', taken_at: expect.any(String), bead: null },
      {
        rig: 'beta',
        name: 'Toast',
        bead_id: b.id,
        taken_at: expect.any(String),
        bead: {
          id: b.id,
          status: 'open',
          assignee: null,
          labels: [],
          updated_at: b.updated_at,
        },
      },
    ]);
  });

  it('lists the unclosed tracked beads of open convoys only, narrow, in one read', async () => {
    await s.ledger.addRig({ name: 'alpha', prefix: 'al', max_polecats: 3 }, s.ctx());
    const [x, y, z] = [
      await s.ledger.createBead({ title: 'x', rig: 'alpha' }, s.ctx()),
      await s.ledger.createBead({ title: 'y', rig: 'alpha' }, s.ctx()),
      await s.ledger.createBead({ title: 'z', rig: 'alpha' }, s.ctx()),
    ];
    await s.ledger.addDependency(y.id, x.id, 'blocks', s.ctx());
    const open = await s.ledger.createBead({ title: 'open', issue_type: 'convoy' }, s.ctx());
    const closed = await s.ledger.createBead({ title: 'closed', issue_type: 'convoy' }, s.ctx());
    await s.ledger.createBead({ title: 'empty', issue_type: 'convoy' }, s.ctx());
    await s.ledger.addDependency(open.id, y.id, 'tracks', s.ctx());
    await s.ledger.addDependency(open.id, x.id, 'tracks', s.ctx());
    const done = await s.ledger.createBead({ title: 'done', rig: 'alpha' }, s.ctx());
    await s.ledger.addDependency(open.id, done.id, 'tracks', s.ctx());
    await s.ledger.closeBead(done.id, {}, s.ctx());
    await s.ledger.addDependency(closed.id, z.id, 'tracks', s.ctx());
    await s.ledger.closeBead(closed.id, { force: true }, s.ctx());
    const tracks = await s.ledger.listOpenConvoyTracks();
    expect([...tracks.keys()]).toEqual([open.id]);
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
    expect([...(tracks.get(open.id) ?? [])].sort(byId)).toEqual(
      [
        { id: y.id, status: 'open', assignee: null, is_blocked: true, issue_type: 'task', rig: 'alpha' },
        { id: x.id, status: 'open', assignee: null, is_blocked: false, issue_type: 'task', rig: 'alpha' },
      ].sort(byId),
    );
  });
}
