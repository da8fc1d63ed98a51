import { describe, expect, it } from 'vitest';
import { useCommands } from './command-harness.ts';

type Stage = {
  convoy_id: string;
  status: string;
  staged: boolean;
  waves: Array<{ wave: number; issues: string[] }>;
  warnings: Array<{ category: string }>;
};

/** `gt convoy stage` (convoy.md §3.9–§3.16, §4 scenarios 33–37) with the upstream bugs of §5.2 fixed. */
describe('gt convoy stage', () => {
  const h = useCommands((h) => h.ok('gt rig add', { name: 'alpha', prefix: 'al' }));
  const { run, ok } = h;
  const bead = async (title: string, extra = {}) =>
    (await ok<{ id: string }>('bd create', { title, rig: 'alpha', ...extra })).id;
  const tracked = async (convoy: string) =>
    (await ok<{ tracked: Array<{ id: string }> }>('gt convoy status', { convoy })).tracked
      .map((t) => t.id)
      .sort();
  const convoyCount = async () => (await ok<unknown[]>('gt convoy list', { all: true })).length;

  it('a clean chain stages ready: waves, and a staged convoy tracking the beads', async () => {
    const [a, b, c] = [await bead('a'), await bead('b'), await bead('c')];
    await ok('bd dep add', { issue: b, 'depends-on': a });
    const r = await ok<Stage>('gt convoy stage', { ids: [a, b, c] });
    expect(r).toMatchObject({ status: 'staged_ready', staged: true, warnings: [] });
    expect(r.waves).toEqual([
      { wave: 1, issues: [a, c].sort() },
      { wave: 2, issues: [b] },
    ]);
    expect(r.convoy_id).toMatch(/^hq-cv-/);
    expect(await ok('gt convoy status', { convoy: r.convoy_id })).toMatchObject({
      status: 'staged_ready',
      total: 3,
    });
    expect(await tracked(r.convoy_id)).toEqual([a, b, c].sort());
  });

  it('an epic stages its slingable descendants only, and no validation bead appears', async () => {
    const epic = await bead('E', { type: 'epic' });
    const kids = [
      await bead('t1', { parent: epic }),
      await bead('b1', { parent: epic, type: 'bug' }),
      await bead('t2', { parent: epic }),
    ];
    await ok('bd dep add', { issue: kids[2], 'depends-on': kids[0] });
    const before = (await ok<unknown[]>('bd list', { all: true })).length;
    const r = await ok<Stage>('gt convoy stage', { ids: [epic] });
    expect(await tracked(r.convoy_id)).toEqual([...kids].sort());
    expect(r.warnings.map((w) => w.category)).toEqual(['orphan']);
    expect(r.status).toBe('staged_warnings');
    expect((await ok<unknown[]>('bd list', { all: true })).length).toBe(before + 1); // only the convoy
    expect(await ok('gt convoy list', { all: true })).toMatchObject([
      { title: 'Convoy: E', status: 'staged_warnings' },
    ]);
  });

  // Cycles cannot enter the ledger (bd dep add refuses them); the stage cycle error is covered in staging.test.ts.
  it('town-level work is an error: refused, the plan with its errors, nothing created', async () => {
    const [a, b] = [await bead('a'), await bead('b')];
    await h.ledger.addDependency(a, b, 'blocks', { actor: 'x', now: new Date() });
    const town = (await ok<{ id: string }>('bd create', { title: 'town' })).id;
    const reply = await run('gt convoy stage', { ids: [a, b, town] });
    expect(reply).toMatchObject({
      ok: false,
      error: {
        code: 'stage_failed',
        details: { result: { status: 'error', convoy_id: '', waves: [], errors: [{ category: 'no-rig' }] } },
      },
    });
    expect(await convoyCount()).toBe(0);
  });

  it('re-staging a staged convoy updates it in place: status and tracks reconciled', async () => {
    const [a, b] = [await bead('a'), await bead('b')];
    const first = await ok<Stage>('gt convoy stage', { ids: [a, b] });
    await ok('gt rig park', { name: 'alpha' });
    const again = await ok<Stage>('gt convoy stage', { ids: [first.convoy_id] });
    expect(again).toMatchObject({ convoy_id: first.convoy_id, status: 'staged_warnings', staged: true });
    expect(again.warnings.map((w) => w.category)).toEqual(['blocked-rig']);
    expect(await convoyCount()).toBe(1);
    // Beads overlapping exactly one staged convoy re-stage it too (and drop what is no longer wanted).
    const third = await ok<Stage>('gt convoy stage', { ids: [a] });
    expect(third.convoy_id).toBe(first.convoy_id);
    expect(await tracked(first.convoy_id)).toEqual([a]);
    expect(await convoyCount()).toBe(1);
  });

  it('staging an open convoy only shows its plan; beads of an open convoy cannot be staged again', async () => {
    const [a, b] = [await bead('a'), await bead('b')];
    const open = await ok<{ id: string }>('gt convoy create', { words: ['live', a, b] });
    const shown = await ok<Stage>('gt convoy stage', { ids: [open.id] });
    expect(shown).toMatchObject({ convoy_id: open.id, staged: false, status: 'staged_ready' });
    expect(await ok('gt convoy status', { convoy: open.id })).toMatchObject({ status: 'open' });
    expect(await run('gt convoy stage', { ids: [a] })).toMatchObject({
      ok: false,
      error: { code: 'already_in_open_convoy' },
    });
    expect(await convoyCount()).toBe(1);
  });

  it('refuses mixed input and two containers', async () => {
    const epic = await bead('E', { type: 'epic' });
    const t = await bead('t');
    expect(await run('gt convoy stage', { ids: [epic, t] })).toMatchObject({
      ok: false,
      error: { code: 'mixed_input' },
    });
    const e2 = await bead('E2', { type: 'epic' });
    expect(await run('gt convoy stage', { ids: [epic, e2] })).toMatchObject({
      ok: false,
      error: { code: 'one_container' },
    });
  });
});
