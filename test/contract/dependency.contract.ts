import { expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.ts';
import { createMany, ids } from './harness.ts';
import type { ContractState } from './ledger.contract.ts';

const refusal = async (p: Promise<unknown>): Promise<DomainError> => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(err)}`);
  return err;
};

/** Edge rules: beads.md §8 scenarios 20–28 (adapted), plus "a refusal changes nothing". */
export function registerDependencyContract(s: ContractState): void {
  it('§8.20 refuses a self-dependency', async () => {
    const [a] = await createMany(s.ledger, s.ctx, ['A']);
    const err = await refusal(s.ledger.addDependency(a?.id as string, a?.id as string, 'blocks', s.ctx()));
    expect(err.code).toBe('self_dependency');
    expect(err.message).toContain('cannot depend on itself');
  });

  it('§8.21 refuses a cycle, names it, and changes nothing', async () => {
    const [a, b, c] = await createMany(s.ledger, s.ctx, ['A', 'B', 'C']);
    if (!a || !b || !c) throw new Error('setup');
    await s.ledger.addDependency(a.id, b.id, 'blocks', s.ctx());
    await s.ledger.addDependency(b.id, c.id, 'blocks', s.ctx());
    const before = await s.ledger.eventsSince(0);
    const err = await refusal(s.ledger.addDependency(c.id, a.id, 'blocks', s.ctx()));
    expect(err.code).toBe('cycle');
    expect(err.message).toContain(`${c.id} → ${a.id} → ${b.id} → ${c.id}`);
    expect(await s.ledger.dependenciesOf(c.id)).toEqual([]);
    expect(await s.ledger.eventsSince(0)).toEqual(before);
    expect(await s.ledger.findCycles()).toEqual([]);
  });

  it('§8.23 refuses an unknown target', async () => {
    const [a] = await createMany(s.ledger, s.ctx, ['A']);
    const err = await refusal(s.ledger.addDependency(a?.id as string, 'hq-zzz', 'blocks', s.ctx()));
    expect(err.kind).toBe('not_found');
  });

  it('§8.25 an epic cannot block a task, but parent-child crosses types', async () => {
    const epic = await s.ledger.createBead({ title: 'E', issue_type: 'epic' }, s.ctx());
    const task = await s.ledger.createBead({ title: 'T' }, s.ctx());
    expect((await refusal(s.ledger.addDependency(task.id, epic.id, 'blocks', s.ctx()))).code).toBe(
      'epic_task_block',
    );
    await s.ledger.addDependency(task.id, epic.id, 'parent-child', s.ctx());
    expect((await s.ledger.getBead(task.id))?.parent).toBe(epic.id);
  });

  it('§8.26 a second edge of another type on the same pair is refused; the first survives', async () => {
    const [a, b] = await createMany(s.ledger, s.ctx, ['A', 'B']);
    if (!a || !b) throw new Error('setup');
    await s.ledger.addDependency(a.id, b.id, 'blocks', s.ctx());
    await s.ledger.addDependency(a.id, b.id, 'blocks', s.ctx()); // same edge again: a no-op
    expect((await refusal(s.ledger.addDependency(a.id, b.id, 'related', s.ctx()))).code).toBe(
      'edge_type_conflict',
    );
    expect((await s.ledger.dependenciesOf(a.id)).map((d) => d.type)).toEqual(['blocks']);
  });

  it('§8.27 a parent cannot block on its descendant, nor a descendant on its ancestor (deadlock)', async () => {
    const p = await s.ledger.createBead({ title: 'P' }, s.ctx());
    const c = await s.ledger.createBead({ title: 'C', parent: p.id }, s.ctx());
    const g = await s.ledger.createBead({ title: 'G', parent: c.id }, s.ctx());
    const down = await refusal(s.ledger.addDependency(p.id, g.id, 'blocks', s.ctx()));
    expect(down.code).toBe('cycle');
    expect(down.message).toContain(`${p.id} → ${g.id} → ${c.id} → ${p.id}`);
    await s.ledger.addRig({ name: 'x', prefix: 'x' }, s.ctx());
    const up = await refusal(s.ledger.addDependency(g.id, p.id, 'parent-child', s.ctx()));
    expect(up.code).toBe('already_has_parent');
  });

  it('§8.32 a related edge to open work does not stop a close', async () => {
    const [a, b] = await createMany(s.ledger, s.ctx, ['A', 'B']);
    await s.ledger.addDependency(a?.id as string, b?.id as string, 'related', s.ctx());
    expect((await s.ledger.closeBead(a?.id as string, {}, s.ctx())).status).toBe('closed');
  });

  it('cross-rig edges block (one ledger: a rig boundary is not an "external" target)', async () => {
    await s.ledger.addRig({ name: 'alpha', prefix: 'al' }, s.ctx());
    await s.ledger.addRig({ name: 'beta', prefix: 'be' }, s.ctx());
    const a = await s.ledger.createBead({ title: 'A', rig: 'alpha' }, s.ctx());
    const b = await s.ledger.createBead({ title: 'B', rig: 'beta' }, s.ctx());
    await s.ledger.addDependency(b.id, a.id, 'blocks', s.ctx());
    expect((await s.ledger.getBead(b.id))?.is_blocked).toBe(true);
  });

  it('tracks edges: only from convoys, never blocking, visible from both ends', async () => {
    const convoy = await s.ledger.createBead({ title: 'C', issue_type: 'convoy' }, s.ctx());
    expect(convoy.id).toMatch(/^hq-cv-/);
    const [a, b] = await createMany(s.ledger, s.ctx, ['A', 'B']);
    await s.ledger.addDependency(convoy.id, a?.id as string, 'tracks', s.ctx());
    expect(
      (await refusal(s.ledger.addDependency(b?.id as string, a?.id as string, 'tracks', s.ctx()))).code,
    ).toBe('tracks_reserved');
    expect((await s.ledger.getBead(convoy.id))?.is_blocked).toBe(false);
    expect(await s.ledger.dependentsOf(a?.id as string)).toEqual([
      expect.objectContaining({ issue_id: convoy.id, type: 'tracks' }),
    ]);
    expect(ids(await s.ledger.listReady({}))).toEqual([a?.id, b?.id]);
  });

  it('lists dependencies and dependents with their types', async () => {
    const [a, b, c] = await createMany(s.ledger, s.ctx, ['A', 'B', 'C']);
    if (!a || !b || !c) throw new Error('setup');
    await s.ledger.addDependency(b.id, a.id, 'blocks', s.ctx('bob'));
    await s.ledger.addDependency(c.id, a.id, 'discovered-from', s.ctx());
    expect(await s.ledger.dependenciesOf(b.id)).toEqual([
      expect.objectContaining({ issue_id: b.id, depends_on_id: a.id, type: 'blocks', created_by: 'bob' }),
    ]);
    expect((await s.ledger.dependentsOf(a.id)).map((d) => [d.issue_id, d.type]).sort()).toEqual(
      [
        [b.id, 'blocks'],
        [c.id, 'discovered-from'],
      ].sort(),
    );
  });
}

export { refusal };
