import { expect, it } from 'vitest';
import { createMany, ids } from './harness.ts';
import type { ContractState } from './ledger.contract.ts';

/** Readiness and blocking: beads.md §8 scenarios 1–18, 41, 42. */
export function registerBlockingContract(s: ContractState): void {
  const readyIds = async () => ids(await s.ledger.listReady({}));
  const blockedMap = async () =>
    Object.fromEntries((await s.ledger.listBlocked({})).map((b) => [b.id, b.blocked_by]));

  it('§8.1 a new task is ready', async () => {
    const [a] = await createMany(s.ledger, s.ctx, ['A']);
    expect(await readyIds()).toEqual([a?.id]);
  });

  it('§8.2–3 a blocked bead leaves ready and returns when its blocker closes', async () => {
    const [a, b] = await createMany(s.ledger, s.ctx, ['A', 'B']);
    if (!a || !b) throw new Error('setup');
    await s.ledger.addDependency(b.id, a.id, 'blocks', s.ctx());
    expect(await readyIds()).toEqual([a.id]);
    expect(await blockedMap()).toEqual({ [b.id]: [a.id] });
    expect((await s.ledger.getBead(b.id))?.status).toBe('open'); // §8.41: blocked is computed, not stored
    expect(ids(await s.ledger.listBeads({ status: ['blocked'] }))).toEqual([]);
    await s.ledger.closeBead(a.id, {}, s.ctx());
    expect(await readyIds()).toEqual([b.id]);
    expect(await blockedMap()).toEqual({});
  });

  it('§8.4 diamond: closing the root frees the middle, not the bottom', async () => {
    const [a, b, c, d] = await createMany(s.ledger, s.ctx, ['A', 'B', 'C', 'D']);
    if (!a || !b || !c || !d) throw new Error('setup');
    await s.ledger.addDependency(b.id, a.id, 'blocks', s.ctx());
    await s.ledger.addDependency(c.id, a.id, 'blocks', s.ctx());
    await s.ledger.addDependency(d.id, b.id, 'blocks', s.ctx());
    await s.ledger.addDependency(d.id, c.id, 'blocks', s.ctx());
    await s.ledger.closeBead(a.id, {}, s.ctx());
    expect((await readyIds()).sort()).toEqual([b.id, c.id].sort());
    expect((await blockedMap())[d.id]).toEqual([b.id, c.id].sort());
  });

  it('§8.5 chain: closing the head frees only the next link', async () => {
    const chain = await createMany(s.ledger, s.ctx, ['A', 'B', 'C', 'D']);
    for (let i = 1; i < chain.length; i++) {
      await s.ledger.addDependency(chain[i]?.id as string, chain[i - 1]?.id as string, 'blocks', s.ctx());
    }
    await s.ledger.closeBead(chain[0]?.id as string, {}, s.ctx());
    expect(await readyIds()).toEqual([chain[1]?.id]);
  });

  it('§8.6 removing the edge unblocks', async () => {
    const [a, b] = await createMany(s.ledger, s.ctx, ['A', 'B']);
    if (!a || !b) throw new Error('setup');
    await s.ledger.addDependency(b.id, a.id, 'blocks', s.ctx());
    expect(await s.ledger.removeDependency(b.id, a.id, s.ctx())).toBe(true);
    expect((await readyIds()).sort()).toEqual([a.id, b.id].sort());
    expect(await s.ledger.removeDependency(b.id, a.id, s.ctx())).toBe(false);
  });

  it('§8.7 a pinned blocker stops blocking; back to open it blocks again', async () => {
    const [a, b] = await createMany(s.ledger, s.ctx, ['A', 'B']);
    if (!a || !b) throw new Error('setup');
    await s.ledger.addDependency(b.id, a.id, 'blocks', s.ctx());
    await s.ledger.updateBead(a.id, { status: 'pinned' }, s.ctx());
    expect((await s.ledger.getBead(b.id))?.is_blocked).toBe(false);
    await s.ledger.updateBead(a.id, { status: 'open' }, s.ctx());
    expect((await s.ledger.getBead(b.id))?.is_blocked).toBe(true);
  });

  it('§8.8 reopening a blocker blocks its dependers again', async () => {
    const [a, b] = await createMany(s.ledger, s.ctx, ['A', 'B']);
    if (!a || !b) throw new Error('setup');
    await s.ledger.addDependency(b.id, a.id, 'blocks', s.ctx());
    await s.ledger.closeBead(a.id, {}, s.ctx());
    expect((await s.ledger.getBead(b.id))?.is_blocked).toBe(false);
    await s.ledger.reopenBead(a.id, s.ctx());
    expect((await s.ledger.getBead(b.id))?.is_blocked).toBe(true);
  });

  it('§8.9 a blocked grandparent blocks its whole subtree until its blocker closes', async () => {
    const [x, gp] = await createMany(s.ledger, s.ctx, ['X', 'GP']);
    if (!x || !gp) throw new Error('setup');
    const p = await s.ledger.createBead({ title: 'P', parent: gp.id }, s.ctx());
    const c = await s.ledger.createBead({ title: 'C', parent: p.id }, s.ctx());
    await s.ledger.addDependency(gp.id, x.id, 'blocks', s.ctx());
    const blocked = await blockedMap();
    expect(blocked).toEqual({ [gp.id]: [x.id], [p.id]: [gp.id], [c.id]: [p.id] });
    await s.ledger.closeBead(x.id, {}, s.ctx());
    expect(await blockedMap()).toEqual({});
    expect((await readyIds()).sort()).toEqual([gp.id, p.id, c.id].sort());
  });

  it('§8.10 an open parent does not block its child', async () => {
    const parent = await s.ledger.createBead({ title: 'P' }, s.ctx());
    const child = await s.ledger.createBead({ title: 'C', parent: parent.id }, s.ctx());
    expect(await readyIds()).toContain(child.id);
  });

  it('§8.13 conditional-blocks blocks like blocks', async () => {
    const [t, src] = await createMany(s.ledger, s.ctx, ['T', 'S']);
    await s.ledger.addDependency(src?.id as string, t?.id as string, 'conditional-blocks', s.ctx());
    expect((await s.ledger.getBead(src?.id as string))?.is_blocked).toBe(true);
  });

  it('§8.14 & §8.17 waits-for blocks while the spawner has open children, not when it has none', async () => {
    const [spawner, waiter] = await createMany(s.ledger, s.ctx, ['S', 'W']);
    if (!spawner || !waiter) throw new Error('setup');
    await s.ledger.addDependency(waiter.id, spawner.id, 'waits-for', s.ctx());
    expect((await s.ledger.getBead(waiter.id))?.is_blocked).toBe(false);
    const child = await s.ledger.createBead({ title: 'child', parent: spawner.id }, s.ctx());
    expect((await s.ledger.getBead(waiter.id))?.is_blocked).toBe(true);
    expect((await blockedMap())[waiter.id]).toEqual([spawner.id]);
    await s.ledger.closeBead(child.id, {}, s.ctx());
    expect((await s.ledger.getBead(waiter.id))?.is_blocked).toBe(false);
  });

  it('§8.15 any-children: one closed child is enough', async () => {
    const [spawner, waiter] = await createMany(s.ledger, s.ctx, ['S', 'W']);
    if (!spawner || !waiter) throw new Error('setup');
    const c1 = await s.ledger.createBead({ title: 'c1', parent: spawner.id }, s.ctx());
    await s.ledger.createBead({ title: 'c2', parent: spawner.id }, s.ctx());
    await s.ledger.addDependency(waiter.id, spawner.id, 'waits-for', s.ctx(), 'any-children');
    expect((await s.ledger.getBead(waiter.id))?.is_blocked).toBe(true);
    await s.ledger.closeBead(c1.id, {}, s.ctx());
    expect((await s.ledger.getBead(waiter.id))?.is_blocked).toBe(false);
  });

  it('§8.18 a closed bead with an open blocker is not blocked', async () => {
    const [a, b] = await createMany(s.ledger, s.ctx, ['A', 'B']);
    await s.ledger.closeBead(b?.id as string, {}, s.ctx());
    await s.ledger.addDependency(b?.id as string, a?.id as string, 'blocks', s.ctx());
    expect((await s.ledger.getBead(b?.id as string))?.is_blocked).toBe(false);
    expect(await blockedMap()).toEqual({});
  });

  it('§8.42 ready is ordered by priority, then oldest first; epics and assigned work are not ready', async () => {
    const made = [];
    for (const p of [3, 0, 2, 1] as const)
      made.push(await s.ledger.createBead({ title: `P${p}`, priority: p }, s.ctx()));
    const sameP = await s.ledger.createBead({ title: 'later P0', priority: 0 }, s.ctx());
    await s.ledger.createBead({ title: 'an epic', issue_type: 'epic', priority: 0 }, s.ctx());
    await s.ledger.createBead({ title: 'taken', assignee: 'rig/Toast', priority: 0 }, s.ctx());
    const ready = await s.ledger.listReady({});
    expect(ready.map((b) => b.title)).toEqual(['P0', 'later P0', 'P1', 'P2', 'P3']);
    expect(ids(await s.ledger.listReady({ limit: 2 }))).toEqual([made[1]?.id, sameP.id]);
  });

  it('ready and blocked filter by rig', async () => {
    await s.ledger.addRig({ name: 'alpha', prefix: 'al' }, s.ctx());
    const inRig = await s.ledger.createBead({ title: 'rig work', rig: 'alpha' }, s.ctx());
    await s.ledger.createBead({ title: 'town work' }, s.ctx());
    expect(ids(await s.ledger.listReady({ rig: 'alpha' }))).toEqual([inRig.id]);
  });
}
