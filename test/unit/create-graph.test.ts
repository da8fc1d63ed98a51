import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bdCreate } from '../../src/commands/bd/create.ts';
import type { GraphCreated } from '../../src/commands/bd/create-graph.ts';
import { CATALOG } from '../../src/commands/catalog.ts';
import { CommandRegistry } from '../../src/commands/registry.ts';
import type { Actor } from '../../src/domain/actor.ts';
import type { Bead } from '../../src/domain/bead.ts';
import { refused } from '../../src/domain/errors.ts';
import type { Reply } from '../../src/domain/reply.ts';
import type { Ledger } from '../../src/ledger/port.ts';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.ts';

/**
 * `bd create --graph` through the command layer over a real SQLite ledger file (formulas.md §8
 * scenario 36): a valid plan becomes beads and edges with a key → id map; a bad one — an edge to
 * a missing key, a cycle — is refused before any write; a dry run writes nothing; a write that
 * fails part-way leaves nothing open.
 */
describe('bd create --graph', () => {
  let dir = '';
  let ledger: SqliteLedger;
  /** Which ledger call fails: the `nth` call of `method` from when it is set (part-way tests). */
  let failOn: { method: 'createBead' | 'addDependency'; nth: number; seen?: number } | null = null;
  let registry: CommandRegistry;
  const operator: Actor = { kind: 'human', id: 'u' };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gt-graph-'));
    ledger = new SqliteLedger({ path: join(dir, 'ledger.db') });
    await ledger.init();
    failOn = null;
    registry = new CommandRegistry({ ledger: failing(ledger), now: () => new Date() }, CATALOG, (err) => {
      throw err;
    });
    await ok('gt rig add', { name: 'alpha', prefix: 'al' });
  });
  afterEach(async () => {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The ledger, with the call `failOn` names throwing a refusal (the ledger's own kind of failure). */
  function failing(inner: Ledger): Ledger {
    return new Proxy(inner, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop !== 'createBead' && prop !== 'addDependency') return value;
        return async (...args: unknown[]) => {
          if (failOn?.method === prop) failOn.seen = (failOn.seen ?? 0) + 1;
          if (failOn?.method === prop && failOn.seen === failOn.nth)
            throw refused('injected', `injected failure of ${prop} #${failOn.nth}; try again`);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }

  const run = (verb: string, args: unknown, actor: Actor = operator): Promise<Reply> =>
    registry.execute({ verb, args, actor, source: 'cli' });
  async function ok<T = unknown>(verb: string, args: unknown, actor?: Actor): Promise<T> {
    const reply = await run(verb, args, actor);
    if (!reply.ok) throw new Error(`${verb}: ${reply.error.message}`);
    return reply.data as T;
  }
  const graph = (doc: unknown, extra: Record<string, unknown> = {}) =>
    run('bd create', { graph: JSON.stringify(doc), ...extra });
  const created = async (doc: unknown, extra: Record<string, unknown> = {}) => {
    const reply = await graph(doc, extra);
    if (!reply.ok) throw new Error(reply.error.message);
    return reply.data as GraphCreated;
  };
  const beadCount = async () => (await ledger.countBeads()).reduce((n, c) => n + c.count, 0);
  const openIds = async () => (await ledger.listBeads({})).map((b) => b.id).sort();
  const single = async (title: string) => (await ok<Bead>('bd create', { title, rig: 'alpha' })).id;
  const readyIds = async () => (await ok<Bead[]>('bd ready', {})).map((b) => b.id).sort();
  const node = (key: string, extra: Record<string, unknown> = {}) => ({ key, title: `Do ${key}`, ...extra });

  it('creates the plan: a key → id map, parents first, edges written, readiness as the edges say', async () => {
    const x = await single('existing prerequisite');
    const r = await created({
      nodes: [
        node('c', { parent_key: 'e', priority: 1, labels: ['ship'] }),
        node('e', { type: 'epic', description: 'The feature' }),
        node('a', { parent_key: 'e', acceptance: 'tests pass' }),
        node('b', { parent_key: 'e', assignee: 'alpha/Toast' }),
        node('d'),
      ],
      edges: [
        { from_key: 'b', to_key: 'a' },
        { from_key: 'c', to_key: 'b', type: 'blocks' },
        { from_key: 'a', to_id: x },
        { from_key: 'd', to_key: 'a', type: 'related' },
      ],
    });
    expect(r.dry_run).toBe(false);
    expect(r.warnings).toEqual([]);
    expect(r.edges).toBe(4);
    const [e, a, b, c, d] = ['e', 'a', 'b', 'c', 'd'].map((k) => r.ids[k] as string) as [
      string,
      string,
      string,
      string,
      string,
    ];
    expect(e).toMatch(/^al-[0-9a-z]+$/);
    // Children get their parent's child ids, in the order of the file.
    expect([c, a, b]).toEqual([`${e}.1`, `${e}.2`, `${e}.3`]);
    expect(Object.entries(r.rigs)).toEqual(['c', 'e', 'a', 'b', 'd'].map((k) => [k, 'alpha']));
    const beads = new Map(
      (await ledger.listBeads({ ids: Object.values(r.ids), all: true })).map((bd) => [bd.id, bd]),
    );
    expect(beads.get(e)).toMatchObject({ issue_type: 'epic', description: 'The feature', rig: 'alpha' });
    expect(beads.get(c)).toMatchObject({ parent: e, priority: 1, labels: ['ship'] });
    expect(beads.get(a)).toMatchObject({ acceptance_criteria: 'tests pass', is_blocked: true });
    expect(beads.get(b)).toMatchObject({ assignee: 'alpha/Toast', is_blocked: true });
    expect((await ledger.dependenciesOf(b)).map((dep) => [dep.depends_on_id, dep.type]).sort()).toEqual(
      [
        [a, 'blocks'],
        [e, 'parent-child'],
      ].sort(),
    );
    expect((await ledger.dependenciesOf(d)).map((dep) => [dep.depends_on_id, dep.type])).toEqual([
      [a, 'related'],
    ]);
    // x first; the chain opens one link at a time (b is assigned, so never "ready" for others).
    expect(await readyIds()).toEqual([d, x].sort());
    await ok('bd close', { ids: [x] });
    expect(await readyIds()).toEqual([a, d].sort());
    await ok('bd close', { ids: [a] });
    expect((await ledger.getBead(b))?.is_blocked).toBe(false);
    expect((await ledger.getBead(c))?.is_blocked).toBe(true);
  });

  it('takes any text as a key, __proto__ included', async () => {
    const r = await created({
      nodes: [node('__proto__'), node('constructor', { parent_key: '__proto__' })],
      edges: [{ from_key: '__proto__', to_key: 'constructor', type: 'related' }],
    });
    const [[k1, parent], [k2, child]] = Object.entries(r.ids) as [[string, string], [string, string]];
    expect([k1, k2]).toEqual(['__proto__', 'constructor']);
    expect(child).toBe(`${parent}.1`);
  });

  it('prints key → id lines, and the warnings', async () => {
    const r = await created({ nodes: [node('a', { dependson: 'b' }), node('b')], edges: [] });
    expect(bdCreate.text(r).split('\n')).toEqual([
      `a → ${r.ids.a}`,
      `b → ${r.ids.b}`,
      expect.stringMatching(/^warning: nodes\[0\]\.dependson: unknown field, ignored/),
    ]);
  });

  it('refuses an edge to a missing key before any write: the ledger is unchanged', async () => {
    await single('already here');
    const before = await beadCount();
    const reply = await graph({
      nodes: [node('a'), node('b'), node('c')],
      edges: [
        { from_key: 'b', to_key: 'a' },
        { from_key: 'c', to_key: 'nope' },
      ],
    });
    expect(reply).toMatchObject({
      ok: false,
      error: {
        kind: 'usage',
        code: 'invalid_graph',
        message: expect.stringContaining(
          'edges[1]: to_key "nope" names no node; use one of the keys: a, b, c',
        ),
      },
    });
    expect(await beadCount()).toBe(before);
  });

  it('refuses ids that are not in the ledger, and a rig that is not, before any write', async () => {
    const before = await beadCount();
    const reply = await graph({
      nodes: [node('a', { parent_id: 'al-zzz' }), node('b', { rig: 'nowhere' })],
      edges: [{ from_key: 'b', to_id: 'al-yyy' }],
    });
    expect(reply).toMatchObject({ ok: false, error: { kind: 'refused', code: 'invalid_graph' } });
    const message = (reply as { error: { message: string } }).error.message;
    expect(message).toContain('nodes[0] ("a").parent_id al-zzz not found');
    expect(message).toContain('nodes[1] ("b").rig "nowhere" names no rig; see gt rig list (alpha)');
    expect(message).toContain('edges[0].to_id al-yyy not found');
    expect(await beadCount()).toBe(before);
  });

  it('refuses a cycle among the new nodes, and one closed through beads already in the ledger', async () => {
    const x = await single('x');
    const y = await single('y');
    await ok('bd dep add', { issue: y, 'depends-on': x });
    const before = await beadCount();
    const local = await graph({
      nodes: [node('a'), node('b')],
      edges: [
        { from_key: 'a', to_key: 'b' },
        { from_key: 'b', to_key: 'a' },
      ],
    });
    expect(local).toMatchObject({
      ok: false,
      error: { code: 'invalid_graph', message: expect.stringContaining('the plan loops: "a" → "b" → "a"') },
    });
    // n depends on y, y on x (in the ledger), and the plan makes x depend on n: x → n → y → x.
    const through = {
      nodes: [node('n')],
      edges: [
        { from_key: 'n', to_id: y },
        { from_id: x, to_key: 'n' },
      ],
    };
    for (const extra of [{}, { 'dry-run': true }])
      expect(await graph(through, extra)).toMatchObject({
        ok: false,
        error: {
          code: 'cycle',
          message: expect.stringMatching(/edges\[1\] .* would close a cycle.*remove that edge/),
        },
      });
    expect(await beadCount()).toBe(before);
    expect(await ledger.dependenciesOf(x)).toEqual([]);
  });

  it('--dry-run checks everything and writes nothing', async () => {
    const before = await beadCount();
    const r = await created(
      { nodes: [node('e', { type: 'epic' }), node('a', { parent_key: 'e' })], edges: [] },
      { 'dry-run': true },
    );
    expect(r).toMatchObject({ dry_run: true, ids: {}, rigs: { e: 'alpha', a: 'alpha' }, edges: 0 });
    expect(bdCreate.text(r).split('\n')).toEqual([
      'dry run: 2 bead(s) and 0 edge(s) would be created; nothing was written',
      'e → (new, rig alpha)',
      'a → (new, rig alpha)',
    ]);
    expect(await beadCount()).toBe(before);
    const bad = await graph(
      { nodes: [node('a')], edges: [{ from_key: 'a', to_key: 'x' }] },
      { 'dry-run': true },
    );
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_graph' } });
  });

  it('a write failing part-way leaves nothing open: beads closed with the reason, edges on old beads removed', async () => {
    const x = await single('existing');
    const open = await openIds();
    const before = await beadCount();
    failOn = { method: 'addDependency', nth: 2 };
    const doc = {
      nodes: [node('e', { type: 'epic' }), node('a', { parent_key: 'e' }), node('b', { parent_key: 'e' })],
      edges: [
        { from_id: x, to_key: 'a' },
        { from_key: 'b', to_key: 'a' },
      ],
    };
    const reply = await graph(doc);
    expect(reply).toMatchObject({
      ok: false,
      error: {
        code: 'injected',
        message: expect.stringMatching(
          /injected failure .* the 3 bead\(s\) written before this were closed, nothing is kept/,
        ),
      },
    });
    expect(await beadCount()).toBe(before + 3);
    expect(await openIds()).toEqual(open);
    const closed = await ledger.listBeads({ status: ['closed'] });
    expect(closed).toHaveLength(3);
    for (const bead of closed)
      expect(bead.close_reason).toMatch(/^bd create --graph failed, nothing kept: injected failure/);
    // x no longer waits on the closed bead: the edge the plan put on it is gone.
    expect(await ledger.dependenciesOf(x)).toEqual([]);
    expect(await readyIds()).toEqual([x]);

    failOn = { method: 'createBead', nth: 2 };
    expect(await graph(doc)).toMatchObject({ ok: false, error: { code: 'injected' } });
    expect(await openIds()).toEqual(open);
  });

  it('puts top-level nodes in --rig, the node’s own rig, or the only rig; with several rigs one must be named', async () => {
    expect((await created({ nodes: [node('a')] })).rigs).toEqual({ a: 'alpha' });
    await ok('gt rig add', { name: 'beta', prefix: 'be' });
    expect(await graph({ nodes: [node('a')] })).toMatchObject({
      ok: false,
      error: {
        message: expect.stringContaining(
          'give the rig the plan is for: --rig alpha|beta (or give each top-level node a "rig")',
        ),
      },
    });
    const r = await created(
      { nodes: [node('a'), node('b', { rig: 'alpha' }), node('c', { parent_key: 'a' })] },
      { rig: 'beta' },
    );
    expect(r.rigs).toEqual({ a: 'beta', b: 'alpha', c: 'beta' });
    expect(r.ids.a).toMatch(/^be-/);
    expect(r.ids.b).toMatch(/^al-/);
  });

  it('keeps one-bead and graph arguments apart', async () => {
    expect(await graph({ nodes: [node('a')] }, { title: 'x', priority: '1' })).toMatchObject({
      ok: false,
      error: {
        kind: 'usage',
        message: expect.stringContaining('drop <title>, --priority and give those per node'),
      },
    });
    expect(await run('bd create', { title: 'x', 'dry-run': true })).toMatchObject({
      ok: false,
      error: { kind: 'usage', code: 'dry_run_without_graph' },
    });
    expect(await run('bd create', {})).toMatchObject({
      ok: false,
      error: { kind: 'usage', message: expect.stringMatching(/^missing <title>\. Usage: bd create <title>/) },
    });
    expect(await run('bd create', { graph: 'plan.json' })).toMatchObject({
      ok: false,
      error: { kind: 'usage', message: expect.stringMatching(/not valid JSON .*give a JSON object/) },
    });
  });

  it('an agent creates a plan in its own rig only, assigns only itself, and edges only its own beads', async () => {
    await ok('gt rig add', { name: 'beta', prefix: 'be' });
    const toast: Actor = { kind: 'agent', id: 'alpha/Toast' };
    const before = await beadCount();
    const forbidden = async (doc: unknown, why: RegExp, extra = {}) =>
      expect(await run('bd create', { graph: JSON.stringify(doc), ...extra }, toast)).toMatchObject({
        ok: false,
        error: { code: 'forbidden', message: expect.stringMatching(why) },
      });
    await forbidden({ nodes: [node('a')] }, /only in its own rig \(alpha\)/, { rig: 'beta' });
    await forbidden({ nodes: [node('a'), node('b', { rig: 'beta' })] }, /only in its own rig \(alpha\)/);
    await forbidden({ nodes: [node('a', { assignee: 'alpha/Nux' })] }, /may not assign beads to others/);
    const others = await single('not toast’s');
    await forbidden({ nodes: [node('a')], edges: [{ from_id: others, to_key: 'a' }] }, /is not its own/);
    expect(await beadCount()).toBe(before + 1);
    // Its own rig is the default; depending on another bead of the rig is fine.
    const reply = await run(
      'bd create',
      {
        graph: JSON.stringify({
          nodes: [node('a', { assignee: 'alpha/Toast' })],
          edges: [{ from_key: 'a', to_id: others }],
        }),
      },
      toast,
    );
    expect(reply).toMatchObject({ ok: true, data: { rigs: { a: 'alpha' } } });
  });
});
