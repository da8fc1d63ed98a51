import { describe, expect, it } from 'vitest';
import { useCommands } from './command-harness.ts';

type Launch = {
  convoy_id: string;
  status: string;
  waves: number;
  dispatched: Array<{ id: string; ok: boolean; error?: string }>;
};

/** gt convoy launch (convoy.md §3.16, §4 39–44) with §5.2 items 2–4 fixed. */
describe('gt convoy launch', () => {
  const h = useCommands(async (h) => {
    await h.ok('gt rig add', { name: 'alpha', prefix: 'al' });
    await h.ok('gt rig add', { name: 'beta', prefix: 'be' });
  });
  const { run, ok } = h;
  const bead = async (title: string, rig = 'alpha', extra = {}) =>
    (await ok<{ id: string }>('bd create', { title, rig, ...extra })).id;
  const statusOf = async (id: string) =>
    ((await ok<Array<{ status: string }>>('bd show', { ids: [id] }))[0] as { status: string }).status;

  it('launching beads stages, opens and slings exactly wave 1', async () => {
    const [a, b, c] = [await bead('a'), await bead('b'), await bead('c', 'beta')];
    await ok('bd dep add', { issue: b, 'depends-on': a });
    const r = await ok<Launch>('gt convoy launch', { ids: [a, b, c], force: true }); // cross-rig warns
    expect(r).toMatchObject({ status: 'open', waves: 2 });
    expect(r.dispatched.map((d) => [d.id, d.ok])).toEqual(
      [
        [a, true],
        [c, true],
      ].sort(),
    );
    expect([await statusOf(a), await statusOf(b), await statusOf(c)]).toEqual(['hooked', 'open', 'hooked']);
    expect(await ok('gt convoy status', { convoy: r.convoy_id })).toMatchObject({ status: 'open', total: 3 });
    expect(await ok<unknown[]>('gt convoy list', { all: true })).toHaveLength(1); // no auto-convoys on top
  });

  it('a staged convoy launches on the fast path; warnings need --force; twice is refused without a duplicate', async () => {
    const [a, b] = [await bead('a'), await bead('b', 'beta')];
    const staged = await ok<{ convoy_id: string; status: string }>('gt convoy stage', { ids: [a, b] });
    expect(staged.status).toBe('staged_warnings');
    expect(await run('gt convoy launch', { ids: [staged.convoy_id] })).toMatchObject({
      ok: false,
      error: { code: 'has_warnings' },
    });
    expect(await statusOf(staged.convoy_id)).toBe('staged_warnings');
    expect((await ok<Launch>('gt convoy launch', { ids: [staged.convoy_id], force: true })).convoy_id).toBe(
      staged.convoy_id,
    );
    expect(await run('gt convoy launch', { ids: [staged.convoy_id] })).toMatchObject({
      ok: false,
      error: { code: 'already_launched' },
    });
    expect(await run('gt convoy launch', { ids: [a] })).toMatchObject({
      ok: false,
      error: { code: 'already_in_open_convoy' },
    });
    expect(await ok<unknown[]>('gt convoy list', { all: true })).toHaveLength(1);
  });

  it('a parked rig refuses the launch before anything changes', async () => {
    const a = await bead('a');
    const staged = await ok<{ convoy_id: string }>('gt convoy stage', { ids: [a] });
    await ok('gt rig park', { name: 'alpha' });
    expect(await run('gt convoy launch', { ids: [staged.convoy_id], force: true })).toMatchObject({
      ok: false,
      error: { code: 'rig_parked' },
    });
    expect(await statusOf(staged.convoy_id)).toBe('staged_warnings');
    expect(await statusOf(a)).toBe('open');
  });

  it('launching an epic dispatches its first wave too', async () => {
    const epic = await bead('E', 'alpha', { type: 'epic' });
    const t1 = await bead('t1', 'alpha', { parent: epic });
    const t2 = await bead('t2', 'alpha', { parent: epic });
    await ok('bd dep add', { issue: t2, 'depends-on': t1 });
    const r = await ok<Launch>('gt convoy launch', { ids: [epic] });
    expect(r.dispatched).toEqual([{ id: t1, rig: 'alpha', ok: true }]);
  });
});
