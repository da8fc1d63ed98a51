import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATALOG } from '../../src/commands/catalog.ts';
import { CommandRegistry } from '../../src/commands/registry.ts';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.ts';

/** The bd/gt verbs' argument handling and JSON shapes (CLI-CONTRACT.md), over a real SQLite ledger. */
describe('bd and gt verbs', () => {
  let ledger: SqliteLedger;
  let registry: CommandRegistry;
  beforeEach(async () => {
    ledger = new SqliteLedger({ path: ':memory:' });
    await ledger.init();
    registry = new CommandRegistry({ ledger, now: () => new Date() }, CATALOG, (err) => {
      throw err;
    });
  });
  afterEach(() => ledger.close());

  const ok = async (verb: string, args: unknown = {}) => {
    const reply = await registry.execute({ verb, args, actor: { kind: 'human', id: 'u' }, source: 'cli' });
    if (!reply.ok) throw new Error(`${verb}: ${reply.error.message}`);
    return reply.data as never;
  };
  const create = async (title: string, extra: Record<string, unknown> = {}) =>
    ((await ok('bd create', { title, ...extra })) as { id: string }).id;

  it('close and reopen of no ids at all are refused, saying what to give (found by the API fuzz test)', async () => {
    for (const verb of ['bd close', 'bd reopen']) {
      const reply = await registry.execute({
        verb,
        args: { ids: [] },
        actor: { kind: 'human', id: 'u' },
        source: 'cli',
      });
      expect(reply).toMatchObject({
        ok: false,
        error: { code: 'missing_argument', message: expect.stringMatching(/give at least one <id>/) },
      });
    }
  });

  it('update changes fields, labels and status, and returns an array', async () => {
    const id = await create('A');
    const [bead] = (await ok('bd update', {
      id,
      status: 'in_progress',
      assignee: 'alpha/Toast',
      priority: 'P0',
      'add-label': ['x', 'y'],
      'remove-label': ['y'],
    })) as unknown[];
    expect(bead).toMatchObject({
      id,
      status: 'in_progress',
      assignee: 'alpha/Toast',
      priority: 0,
      labels: ['x'],
    });
    const cleared = (await ok('bd update', { id, assignee: '' })) as Array<{ assignee: null }>;
    expect(cleared[0]?.assignee).toBeNull();
    const reply = await registry.execute({
      verb: 'bd update',
      args: { id },
      actor: { kind: 'human', id: 'u' },
      source: 'cli',
    });
    expect(reply).toMatchObject({ ok: false, error: { code: 'nothing_to_update' } });
  });

  it('labels and comments have their own verbs', async () => {
    const id = await create('A');
    expect(await ok('bd label add', { id, label: 'ui' })).toEqual({
      status: 'added',
      issue_id: id,
      label: 'ui',
    });
    expect(await ok('bd list', { label: 'ui' })).toMatchObject([{ id }]);
    expect(await ok('bd label remove', { id, label: 'ui' })).toEqual({
      status: 'removed',
      issue_id: id,
      label: 'ui',
    });
    expect(await ok('bd comment', { id, text: 'looks good' })).toMatchObject({
      issue_id: id,
      author: 'u',
      text: 'looks good',
    });
  });

  it('list filters by rig, type, assignee, parent and status', async () => {
    await ok('gt rig add', { name: 'alpha', prefix: 'al' });
    const epic = await create('E', { type: 'epic', rig: 'alpha' });
    const child = await create('c', { parent: epic });
    const bug = await create('b', { type: 'bug' });
    expect(child).toBe(`${epic}.1`);
    const ids = async (args: unknown) =>
      ((await ok('bd list', args)) as Array<{ id: string }>).map((b) => b.id).sort();
    expect(await ids({ rig: 'alpha' })).toEqual([epic, child].sort());
    expect(await ids({ type: 'bug' })).toEqual([bug]);
    expect(await ids({ parent: epic })).toEqual([child]);
    await ok('bd close', { ids: [bug] });
    expect(await ids({ status: 'closed' })).toEqual([bug]);
    expect(await ids({})).toEqual([epic, child].sort());
  });

  it('dep tree walks what a bead depends on; dep remove refuses an edge that is not there', async () => {
    const a = await create('A');
    const b = await create('B');
    const c = await create('C');
    await ok('bd dep add', { issue: c, 'depends-on': b });
    await ok('bd dep add', { issue: b, 'depends-on': a, type: 'waits-for' });
    const tree = (await ok('bd dep tree', { id: c })) as Array<{
      id: string;
      depth: number;
      edge_from_parent: string | null;
    }>;
    expect(tree.map((n) => [n.id, n.depth, n.edge_from_parent])).toEqual([
      [c, 0, null],
      [b, 1, 'blocks'],
      [a, 2, 'waits-for'],
    ]);
    expect(await ok('bd dep remove', { issue: c, 'depends-on': b })).toEqual({
      status: 'removed',
      issue_id: c,
      depends_on_id: b,
    });
    const again = await registry.execute({
      verb: 'bd dep remove',
      args: { issue: c, 'depends-on': b },
      actor: { kind: 'human', id: 'u' },
      source: 'cli',
    });
    expect(again).toMatchObject({ ok: false, error: { code: 'no_such_dependency' } });
  });

  it('reopen returns beads to open; blocked lists blocked_by_count', async () => {
    const a = await create('A');
    const b = await create('B');
    await ok('bd dep add', { issue: b, 'depends-on': a });
    expect(await ok('bd blocked')).toMatchObject([{ id: b, blocked_by: [a], blocked_by_count: 1 }]);
    await ok('bd close', { ids: [a] });
    expect(await ok('bd reopen', { ids: [a] })).toMatchObject([{ id: a, status: 'open', closed_at: null }]);
    expect(await ok('bd ready', { limit: '1' })).toMatchObject([{ id: a }]);
  });

  it('gt rig verbs: add with options, list, park, unpark; bad options refused', async () => {
    const rig = await ok('gt rig add', {
      name: 'beta',
      prefix: 'be-',
      repo: '/src/beta',
      'max-polecats': '3',
      command: 'echo hi',
    });
    expect(rig).toMatchObject({
      name: 'beta',
      prefix: 'be',
      repo: '/src/beta',
      max_polecats: 3,
      command: 'echo hi',
      runtime: null,
    });
    expect(await ok('gt rig park', { name: 'beta' })).toMatchObject({ parked: true });
    expect(await ok('gt rig list')).toMatchObject([{ name: 'beta', parked: true }]);
    expect(await ok('gt rig unpark', { name: 'beta' })).toMatchObject({ parked: false });
    const bad = async (args: unknown) =>
      registry.execute({ verb: 'gt rig add', args, actor: { kind: 'human', id: 'u' }, source: 'cli' });
    expect(await bad({ name: 'gamma' })).toMatchObject({ ok: false, error: { code: 'missing_prefix' } });
    expect(await bad({ name: 'gamma', prefix: 'ga', 'max-polecats': '0' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_max_polecats' },
    });
    expect(await bad({ name: 'gamma', prefix: 'ga', runtime: 'x', command: 'y' })).toMatchObject({
      ok: false,
      error: { code: 'runtime_and_command' },
    });
  });
});
