import { expect, it } from 'vitest';
import { refusal } from './dependency.contract.ts';
import { createMany, raceIt } from './harness.ts';
import type { ContractState } from './ledger.contract.ts';

/** Close/reopen/update/claim and ids: beads.md §8 scenarios 29–34, 39–40, 43–44. */
export function registerLifecycleContract(s: ContractState): void {
  it('§8.29–30 children get parent.N ids, a parent edge and the parent labels; explicit ids are skipped', async () => {
    const p = await s.ledger.createBead({ title: 'P', labels: ['backend'] }, s.ctx());
    const kids = [];
    for (const t of ['c1', 'c2']) kids.push(await s.ledger.createBead({ title: t, parent: p.id }, s.ctx()));
    expect(kids.map((k) => k.id)).toEqual([`${p.id}.1`, `${p.id}.2`]);
    expect(kids[0]).toMatchObject({ parent: p.id, labels: ['backend'] });
    expect(await s.ledger.dependenciesOf(kids[0]?.id as string)).toEqual([
      expect.objectContaining({ depends_on_id: p.id, type: 'parent-child' }),
    ]);
    await s.ledger.createBead({ id: `${p.id}.7`, title: 'imported' }, s.ctx());
    expect((await s.ledger.createBead({ title: 'c3', parent: p.id }, s.ctx())).id).toBe(`${p.id}.8`);
  });

  it('§8.31 close refuses an open blocker, changes nothing, and --force closes', async () => {
    const [a, b] = await createMany(s.ledger, s.ctx, ['A', 'B']);
    if (!a || !b) throw new Error('setup');
    await s.ledger.addDependency(a.id, b.id, 'blocks', s.ctx());
    const before = await s.ledger.getBead(a.id);
    const seen = (await s.ledger.eventsSince(0)).length;
    const err = await refusal(s.ledger.closeBead(a.id, {}, s.ctx()));
    expect(err.code).toBe('blocked');
    expect(err.message).toContain(b.id);
    expect(await s.ledger.getBead(a.id)).toEqual(before);
    expect((await s.ledger.eventsSince(0)).length).toBe(seen);
    const forced = await s.ledger.closeBead(a.id, { force: true, reason: 'done anyway' }, s.ctx());
    expect(forced).toMatchObject({ status: 'closed', close_reason: 'done anyway', is_blocked: false });
    expect(forced.closed_at).not.toBeNull();
  });

  it('update to closed goes through the same guards (upstream let it bypass them)', async () => {
    const [a, b] = await createMany(s.ledger, s.ctx, ['A', 'B']);
    await s.ledger.addDependency(a?.id as string, b?.id as string, 'blocks', s.ctx());
    expect((await refusal(s.ledger.updateBead(a?.id as string, { status: 'closed' }, s.ctx()))).code).toBe(
      'blocked',
    );
  });

  it('§8.34 an epic with open children refuses to close unless forced; closing the last child leaves it open', async () => {
    const epic = await s.ledger.createBead({ title: 'E', issue_type: 'epic' }, s.ctx());
    const child = await s.ledger.createBead({ title: 'c', parent: epic.id }, s.ctx());
    expect((await refusal(s.ledger.closeBead(epic.id, {}, s.ctx()))).code).toBe('open_children');
    await s.ledger.closeBead(child.id, {}, s.ctx());
    expect((await s.ledger.getBead(epic.id))?.status).toBe('open');
    expect((await s.ledger.closeBead(epic.id, {}, s.ctx())).status).toBe('closed');
  });

  it('§8.39 reopen of an open bead is refused; reopen clears closed_at and close_reason', async () => {
    const [a] = await createMany(s.ledger, s.ctx, ['A']);
    expect((await refusal(s.ledger.reopenBead(a?.id as string, s.ctx()))).code).toBe('already_open');
    await s.ledger.closeBead(a?.id as string, { reason: 'r' }, s.ctx());
    expect((await refusal(s.ledger.closeBead(a?.id as string, {}, s.ctx()))).code).toBe('already_closed');
    const back = await s.ledger.reopenBead(a?.id as string, s.ctx());
    expect(back).toMatchObject({ status: 'open', closed_at: null, close_reason: '' });
  });

  it('keeps acceptance criteria on create and update', async () => {
    const bead = await s.ledger.createBead({ title: 'A', acceptance_criteria: 'tests pass' }, s.ctx());
    expect(bead.acceptance_criteria).toBe('tests pass');
    expect(
      (await s.ledger.updateBead(bead.id, { acceptance_criteria: 'tests and lint pass' }, s.ctx()))
        .acceptance_criteria,
    ).toBe('tests and lint pass');
  });

  it('§8.40 updates validate titles and keep label sets', async () => {
    const [a] = await createMany(s.ledger, s.ctx, ['A']);
    const id = a?.id as string;
    expect((await refusal(s.ledger.updateBead(id, { title: '  ' }, s.ctx()))).code).toBe('invalid_title');
    const updated = await s.ledger.updateBead(
      id,
      { title: 'A2', priority: 0, add_labels: ['x', 'y', 'x'], description: 'd' },
      s.ctx(),
    );
    expect(updated).toMatchObject({
      title: 'A2',
      priority: 0,
      labels: ['x', 'y'],
      description: 'd',
      version: 2,
    });
    expect((await s.ledger.updateBead(id, { remove_labels: ['x', 'zz'] }, s.ctx())).labels).toEqual(['y']);
    expect(await s.ledger.updateBead(id, { title: 'A2' }, s.ctx())).toMatchObject({ version: 3 }); // no-op
  });

  raceIt(s)('§8.43 eight concurrent claims: exactly one wins', async () => {
    const [a] = await createMany(s.ledger, s.ctx, ['A']);
    const second = await s.fx.reopen();
    const claims = Array.from({ length: 8 }, (_, i) =>
      (i % 2 ? second : s.ledger).claimBead(
        a?.id as string,
        { expect: { status: 'open', assignee: null }, set: { status: 'hooked', assignee: `rig/p${i}` } },
        s.ctx(`p${i}`),
      ),
    );
    const won = (await Promise.all(claims)).filter((b) => b !== null);
    expect(won).toHaveLength(1);
    const final = await s.ledger.getBead(a?.id as string);
    expect(final?.status).toBe('hooked');
    expect(final?.assignee).toBe(won[0]?.assignee);
    await second.close();
  });

  it('§8.44 a claim on work held by someone else returns null; the same claim again is idempotent', async () => {
    const [a] = await createMany(s.ledger, s.ctx, ['A']);
    const id = a?.id as string;
    const claim = {
      expect: { status: 'open' as const, assignee: null },
      set: { status: 'hooked' as const, assignee: 'r/x' },
    };
    expect(await s.ledger.claimBead(id, claim, s.ctx())).toMatchObject({ assignee: 'r/x' });
    expect(await s.ledger.claimBead(id, claim, s.ctx())).toBeNull();
    const again = { expect: { status: 'hooked' as const, assignee: 'r/x' }, set: claim.set };
    expect(await s.ledger.claimBead(id, again, s.ctx())).toMatchObject({ assignee: 'r/x', status: 'hooked' });
  });

  it('generates distinct short ids that grow with the prefix population', async () => {
    const beads = await createMany(
      s.ledger,
      s.ctx,
      Array.from({ length: 60 }, () => 'same title'),
    );
    const unique = new Set(beads.map((b) => b.id));
    expect(unique.size).toBe(60);
    for (const id of unique) expect(id).toMatch(/^hq-[0-9a-z]{3,4}$/);
  });
}
