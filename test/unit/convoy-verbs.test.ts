import { describe, expect, it } from 'vitest';
import { useCommands } from './command-harness.ts';

/** The gt convoy verbs over a real SQLite ledger (convoy.md §1, §3.4–§3.5, §4 scenarios 46–51, 74). */
describe('gt convoy verbs', () => {
  const h = useCommands(async (h) => {
    for (const name of ['alpha', 'beta', 'gamma'])
      await h.ok('gt rig add', { name, prefix: name.slice(0, 2) });
  });
  const { run, ok } = h;
  const bead = async (title: string, rig = 'alpha', extra = {}) =>
    (await ok<{ id: string }>('bd create', { title, rig, ...extra })).id;
  type Status = {
    status: string;
    completed: number;
    total: number;
    owned: boolean;
    tracked: Array<{ id: string; rig: string; blocked: boolean }>;
  };

  it('creates a convoy tracking beads of several rigs, with one unified progress', async () => {
    const ids = [await bead('a', 'alpha'), await bead('b', 'beta'), await bead('c', 'gamma')];
    const convoy = await ok<{ id: string; status: string; tracked: string[] }>('gt convoy create', {
      words: ['Ship it', ...ids],
    });
    expect(convoy.id).toMatch(/^hq-cv-[0-9a-z]{3,}$/);
    expect(convoy).toMatchObject({ status: 'open', title: 'Ship it', tracked: ids });
    await ok('bd close', { ids: [ids[1]] });
    const status = await ok<Status>('gt convoy status', { convoy: convoy.id });
    expect(status).toMatchObject({ status: 'open', completed: 1, total: 3, owned: false });
    expect(status.tracked.map((t) => t.rig)).toEqual(['alpha', 'beta', 'gamma']);
    const [shown] = await ok<Array<{ description: string }>>('bd show', { ids: [convoy.id] });
    expect(shown?.description).toContain('Owner: mayor');
  });

  it('refuses unknown beads, convoys as members, bad merge values and flag-like names, creating nothing', async () => {
    const a = await bead('a');
    expect(await run('gt convoy create', { words: ['x', a, 'al-zzzz'] })).toMatchObject({
      ok: false,
      error: { kind: 'not_found' },
    });
    expect(await run('gt convoy create', { words: ['x'], merge: 'yolo' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_merge' },
    });
    expect(await run('gt convoy create', { words: ['--x'] })).toMatchObject({
      ok: false,
      error: { code: 'flag_like_name' },
    });
    expect(await ok('gt convoy list', { all: true })).toEqual([]);
    const c = await ok<{ id: string }>('gt convoy create', { words: ['c'] });
    expect(await run('gt convoy create', { words: ['d', c.id] })).toMatchObject({
      ok: false,
      error: { code: 'convoy_in_convoy' },
    });
    expect(await run('gt convoy status', { convoy: a })).toMatchObject({
      ok: false,
      error: { code: 'not_a_convoy' },
    });
    expect(await run('gt convoy status', { convoy: 'hq-cv-zzz' })).toMatchObject({
      ok: false,
      error: { code: 'convoy_not_found' },
    });
  });

  it('--from-epic tracks the slingable leaves breadth-first, walking sub-epics', async () => {
    const epic = await bead('Epic', 'alpha', { type: 'epic' });
    const t1 = await bead('t1', 'alpha', { parent: epic });
    const sub = await bead('sub', 'alpha', { parent: epic, type: 'epic' });
    const t2 = await bead('t2', 'alpha', { parent: sub });
    const dec = await bead('d', 'alpha', { parent: epic, type: 'decision' });
    const c = await ok<{ title: string; tracked: string[] }>('gt convoy create', { 'from-epic': epic });
    expect(c.title).toBe('Epic');
    expect(c.tracked.sort()).toEqual([t1, t2].sort());
    expect(c.tracked).not.toContain(dec);
    expect(await run('gt convoy create', { 'from-epic': t1 })).toMatchObject({
      ok: false,
      error: { code: 'not_an_epic' },
    });
  });

  it('lands when every tracked bead is closed; never with 0 tracked; owned ones wait for land', async () => {
    const a = await bead('a');
    const plain = await ok<{ id: string }>('gt convoy create', { words: ['plain', a] });
    const empty = await ok<{ id: string }>('gt convoy create', { words: ['rolling'] });
    const owned = await ok<{ id: string }>('gt convoy create', { words: ['owned', a], owned: true });
    const before = await ok<{ closed: string[]; open: string[] }>('gt convoy check', {});
    expect(before.closed).toEqual([]);
    expect(before.open.sort()).toEqual([plain.id, empty.id, owned.id].sort());
    await ok('bd close', { ids: [a] });
    expect(await ok('gt convoy check', { 'dry-run': true })).toMatchObject({ closed: [plain.id] });
    expect(await ok<{ status: string }>('gt convoy status', { convoy: plain.id })).toMatchObject({
      status: 'open',
    });
    const checked = await ok<{ closed: string[]; open: string[] }>('gt convoy check', {});
    expect(checked.closed).toEqual([plain.id]);
    expect(checked.open.sort()).toEqual([empty.id, owned.id].sort());
    expect(await ok('gt convoy status', { convoy: plain.id })).toMatchObject({ status: 'closed' });
    expect(await run('gt convoy land', { convoy: plain.id })).toMatchObject({ ok: true }); // already closed: no-op
    expect(await ok('gt convoy land', { convoy: owned.id })).toMatchObject({
      status: 'closed',
      close_reason: 'Landed by owner',
    });
    expect(await run('gt convoy land', { convoy: empty.id })).toMatchObject({
      ok: false,
      error: { code: 'not_owned' },
    });
  });

  it('close refuses open work unless forced; adding to a closed convoy reopens it', async () => {
    const [a, b] = [await bead('a'), await bead('b')];
    const c = await ok<{ id: string }>('gt convoy create', { words: ['c', a] });
    expect(await run('gt convoy close', { convoy: c.id })).toMatchObject({
      ok: false,
      error: { code: 'convoy_has_open_work' },
    });
    expect(await ok('gt convoy close', { convoy: c.id, force: true })).toMatchObject({
      status: 'closed',
      close_reason: 'Force closed',
    });
    expect(await ok('gt convoy add', { convoy: c.id, ids: [b] })).toMatchObject({
      status: 'open',
      tracked: [a, b],
    });
  });

  it('bd close/reopen/update --status refuse convoy ids', async () => {
    const c = await ok<{ id: string }>('gt convoy create', { words: ['c'] });
    expect(await run('bd close', { ids: [c.id] })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('gt convoy close') },
    });
    expect(await run('bd update', { id: c.id, status: 'closed' })).toMatchObject({
      ok: false,
      error: { code: 'convoy_lifecycle' },
    });
    expect(await ok('gt convoy status', { convoy: c.id })).toMatchObject({ status: 'open' });
  });

  it('stranded: ready work waiting, empty and stuck convoys; not those with work in flight', async () => {
    const ready = await bead('ready');
    const blocker = await bead('blocker', 'beta');
    const blocked = await bead('blocked');
    await ok('bd dep add', { issue: blocked, 'depends-on': blocker });
    const inFlight = await bead('in flight');
    await ok('bd update', { id: inFlight, status: 'hooked', assignee: 'alpha/Toast' });
    const feedable = await ok<{ id: string }>('gt convoy create', { words: ['feedable', ready] });
    const empty = await ok<{ id: string }>('gt convoy create', { words: ['empty'] });
    const stuck = await ok<{ id: string }>('gt convoy create', { words: ['stuck', blocked] });
    await ok('gt convoy create', { words: ['moving', inFlight] });
    const rows =
      await ok<Array<{ convoy_id: string; reason: string; ready_issues: string[] }>>('gt convoy stranded');
    expect(Object.fromEntries(rows.map((r) => [r.convoy_id, [r.reason, r.ready_issues]]))).toEqual({
      [feedable.id]: ['ready_work_waiting', [ready]],
      [empty.id]: ['empty', []],
      [stuck.id]: ['stuck', []],
    });
    await ok('gt rig park', { name: 'alpha' });
    const parked = await ok<Array<{ convoy_id: string; reason: string }>>('gt convoy stranded');
    expect(parked.find((r) => r.convoy_id === feedable.id)?.reason).toBe('stuck');
  });
});
