import { describe, expect, it } from 'vitest';
import { polecatNames } from '../../src/domain/sling.ts';
import { useCommands } from './command-harness.ts';

type Sling = { id: string; rig: string; convoy_id: string; status: string; polecat: string | null };

/** gt sling: guards, the atomic claim, capacity and the auto-convoy (convoy.md §1.14). */
describe('gt sling', () => {
  const h = useCommands((h) => h.ok('gt rig add', { name: 'alpha', prefix: 'al', 'max-polecats': '2' }));
  const { run, ok } = h;
  const bead = async (title: string, extra = {}) =>
    (await ok<{ id: string }>('bd create', { title, rig: 'alpha', ...extra })).id;
  const code = async (args: unknown) => {
    const r = await run('gt sling', args);
    return r.ok ? 'ok' : r.error.code;
  };

  it('hooks the bead to a named polecat with an auto-convoy; slinging again is a no-op', async () => {
    const id = await bead('Fix it');
    const first = await ok<Sling>('gt sling', { id });
    expect(first).toMatchObject({ id, rig: 'alpha', status: 'hooked', polecat: 'alpha/Toast' });
    expect(await ok('bd show', { ids: [id] })).toMatchObject([{ status: 'hooked', assignee: 'alpha/Toast' }]);
    expect(await ok('gt convoy status', { convoy: first.convoy_id })).toMatchObject({
      title: 'Work: Fix it',
      total: 1,
    });
    expect(await ok<Sling>('gt sling', { id, rig: 'alpha' })).toMatchObject({
      status: 'already_hooked',
      convoy_id: first.convoy_id,
    });
    expect(await ok<unknown[]>('gt convoy list')).toHaveLength(1);
  });

  it('uses the open convoy that already tracks the bead', async () => {
    const id = await bead('a');
    const c = await ok<{ id: string }>('gt convoy create', { words: ['mine', id] });
    expect(await ok<Sling>('gt sling', { id })).toMatchObject({ convoy_id: c.id });
  });

  it('refuses closed (even forced), containers, town work, another rig, parked rigs; blocked unless forced', async () => {
    const closed = await bead('done');
    await ok('bd close', { ids: [closed] });
    expect(await code({ id: closed })).toBe('closed');
    expect(await code({ id: closed, force: true })).toBe('closed');
    expect(await code({ id: await bead('E', { type: 'epic' }) })).toBe('not_slingable');
    expect(await code({ id: (await ok<{ id: string }>('bd create', { title: 'town' })).id })).toBe(
      'town_level',
    );
    const free = await bead('free');
    expect(await code({ id: free, rig: 'beta' })).toBe('wrong_rig');
    const blocker = await bead('blocker');
    const blocked = await bead('blocked');
    await ok('bd dep add', { issue: blocked, 'depends-on': blocker });
    expect(await code({ id: blocked })).toBe('blocked');
    expect(await ok('bd show', { ids: [blocked] })).toMatchObject([{ status: 'open', assignee: null }]);
    await ok('gt rig park', { name: 'alpha' });
    expect(await code({ id: free })).toBe('rig_parked');
    await ok('gt rig unpark', { name: 'alpha' });
    expect(await ok<Sling>('gt sling', { id: blocked, force: true })).toMatchObject({ status: 'hooked' });
    expect(await code({ id: 'al-{"$gt":""}' })).toBe('invalid_id');
  });

  it('a full rig queues the bead; a slot freed by closed work is reclaimed after the grace period', async () => {
    const [a, b, c] = [await bead('a'), await bead('b'), await bead('c')];
    expect((await ok<Sling>('gt sling', { id: a })).polecat).toBe('alpha/Toast');
    expect((await ok<Sling>('gt sling', { id: b })).polecat).toBe('alpha/Nux');
    expect(await ok<Sling>('gt sling', { id: c })).toMatchObject({ status: 'queued', polecat: null });
    expect(await ok('bd show', { ids: [c] })).toMatchObject([{ status: 'open', labels: ['gt:queued'] }]);
    await ok('bd close', { ids: [a] });
    expect((await ok<Sling>('gt sling', { id: c })).status).toBe('queued'); // Toast's slot is inside its grace period
    h.advance(120_000);
    expect(await ok<Sling>('gt sling', { id: c })).toMatchObject({
      status: 'hooked',
      polecat: 'alpha/Toast',
    });
    expect(await ok('bd show', { ids: [c] })).toMatchObject([{ labels: [] }]);
  });

  it('names the pool Gas Town style beyond twenty polecats', () => {
    const names = polecatNames(22);
    expect(names.slice(0, 3)).toEqual(['Toast', 'Nux', 'Slit']);
    expect(names.slice(20)).toEqual(['Toast2', 'Nux2']);
    expect(new Set(names).size).toBe(22);
  });
});
