import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExportResult } from '../../src/commands/bd/export.ts';
import type { ImportResult } from '../../src/commands/bd/import.ts';
import { CATALOG } from '../../src/commands/catalog.ts';
import { CommandRegistry } from '../../src/commands/registry.ts';
import type { Actor } from '../../src/domain/actor.ts';
import { refused } from '../../src/domain/errors.ts';
import type { Reply } from '../../src/domain/reply.ts';
import type { Ledger } from '../../src/ledger/port.ts';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.ts';

/**
 * `bd import` / `bd export` through the command layer over real SQLite files: a beads export
 * with every field and edge kind comes in with its ids and times; the legacy edges are kept as
 * `related` and listed; importing again writes nothing; a newer export updates what changed;
 * a dry run and a bad file write nothing; export → import into an empty town round-trips.
 */

const operator: Actor = { kind: 'human', id: 'op' };

interface Town {
  ledger: SqliteLedger;
  registry: CommandRegistry;
  run(verb: string, args?: unknown): Promise<Reply>;
  ok<T>(verb: string, args?: unknown): Promise<T>;
}

let dir = '';
const towns: Town[] = [];
/** Which ledger call fails: the `nth` addDependency from when it is set (part-way tests). */
let failOn: { nth: number; seen: number } | null = null;

async function town(name: string): Promise<Town> {
  const ledger = new SqliteLedger({ path: join(dir, `${name}.db`) });
  await ledger.init();
  const failing = new Proxy(ledger as Ledger, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop !== 'addDependency' || typeof value !== 'function')
        return typeof value === 'function' ? value.bind(target) : value;
      return (...args: unknown[]) => {
        if (failOn && ++failOn.seen === failOn.nth) throw refused('boom', 'the store said no');
        return value.apply(target, args);
      };
    },
  });
  let clock = Date.parse('2026-11-22T12:00:00Z');
  const registry = new CommandRegistry({ ledger: failing, now: () => new Date(clock++) }, CATALOG, (err) => {
    throw err;
  });
  const run = (verb: string, args: unknown = {}) =>
    registry.execute({ verb, args, actor: operator, source: 'cli' });
  const t: Town = {
    ledger,
    registry,
    run,
    async ok<T>(verb: string, args: unknown = {}) {
      const reply = await run(verb, args);
      if (!reply.ok) throw new Error(`${verb}: ${reply.error.message}`);
      return reply.data as T;
    },
  };
  await t.ok('gt rig add', { name: 'alpha', prefix: 'al' });
  await t.ok('gt rig add', { name: 'beta', prefix: 'be' });
  towns.push(t);
  return t;
}

const at = (day: number, hour = 0) =>
  `2026-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00Z`;
const dep = (from: string, to: string, type: string, day = 2, extra: Record<string, unknown> = {}) => ({
  issue_id: from,
  depends_on_id: to,
  type,
  created_at: at(day),
  created_by: 'carol',
  ...extra,
});

/** A beads export as upstream writes it: every field, every edge kind, the legacy edges. */
const FILE = [
  {
    id: 'al-ep1',
    title: 'Epic',
    issue_type: 'epic',
    status: 'open',
    priority: 1,
    created_at: at(1),
    updated_at: at(1),
  },
  {
    id: 'al-t1',
    title: 'Child task',
    description: 'Do it',
    acceptance_criteria: 'Done when done',
    status: 'in_progress',
    priority: 0,
    issue_type: 'bug',
    assignee: 'alpha/Toast',
    labels: ['backend', 'p0'],
    created_at: at(1, 1),
    created_by: 'alice',
    updated_at: at(5),
    comments: [{ id: 1, issue_id: 'al-t1', author: 'bob', text: 'looking', created_at: at(3) }],
    dependencies: [dep('al-t1', 'al-ep1', 'parent-child'), dep('al-t1', 'al-t2', 'blocks')],
  },
  {
    id: 'al-t2',
    title: 'Legacy edges',
    status: 'closed',
    close_reason: 'Merged in 1a2b',
    created_at: at(1, 2),
    updated_at: at(6),
    closed_at: at(6),
    // An epic in a blocks edge with a task; a second parent.
    dependencies: [
      dep('al-t2', 'al-ep1', 'blocks'),
      dep('al-t2', 'al-ep2', 'parent-child'),
      dep('al-t2', 'al-ep3', 'parent-child'),
    ],
  },
  { id: 'al-ep2', title: 'Epic 2', issue_type: 'epic', created_at: at(1), updated_at: at(1) },
  { id: 'al-ep3', title: 'Epic 3', issue_type: 'epic', created_at: at(1), updated_at: at(1) },
  {
    id: 'al-w1',
    title: 'Waiter',
    issue_type: 'molecule',
    created_at: at(2),
    updated_at: at(2),
    dependencies: [
      dep('al-w1', 'al-ep2', 'waits-for', 2, { metadata: '{"gate":"any-children"}' }),
      dep('al-w1', 'be-x1', 'relates-to'),
    ],
  },
  // A parent depending on its own child: refused by the ledger's cycle check, kept as related.
  {
    id: 'be-x1',
    title: 'In beta',
    status: 'deferred',
    priority: 4,
    created_at: at(2),
    updated_at: at(2),
    dependencies: [dep('be-x1', 'be-x1.1', 'blocks', 3)],
  },
  {
    id: 'be-x1.1',
    title: 'Beta child',
    created_at: at(2, 1),
    updated_at: at(2, 1),
    dependencies: [dep('be-x1.1', 'be-x1', 'parent-child')],
  },
  {
    id: 'hq-town1',
    title: 'Town-level',
    status: 'pinned',
    created_at: at(2),
    updated_at: at(2),
    dependencies: [dep('hq-town1', 'al-t1', 'discovered-from'), dep('hq-town1', 'al-t2', 'duplicates')],
  },
]
  .map((o) => JSON.stringify(o))
  .join('\n');

describe('bd import / bd export', () => {
  let a: Town;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gt-import-'));
    failOn = null;
    a = await town('a');
  });
  afterEach(async () => {
    for (const t of towns.splice(0)) await t.ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports every field and edge kind with ids and times kept; legacy edges become related, listed', async () => {
    const r = await a.ok<ImportResult>('bd import', { file: FILE });
    expect(r).toMatchObject({ dry_run: false, created: 9, updated: 0, unchanged: 0, comments: 1 });
    const t1 = await a.ledger.getBead('al-t1');
    expect(t1).toMatchObject({
      title: 'Child task',
      description: 'Do it',
      acceptance_criteria: 'Done when done',
      status: 'in_progress',
      priority: 0,
      issue_type: 'bug',
      assignee: 'alpha/Toast',
      labels: ['backend', 'p0'],
      parent: 'al-ep1',
      rig: 'alpha',
      created_at: '2026-03-01T01:00:00.000Z',
      created_by: 'alice',
      updated_at: '2026-03-05T00:00:00.000Z',
      is_blocked: false, // its blocker al-t2 is closed
    });
    expect(await a.ledger.getBead('al-t2')).toMatchObject({
      status: 'closed',
      close_reason: 'Merged in 1a2b',
      closed_at: '2026-03-06T00:00:00.000Z',
      updated_at: '2026-03-06T00:00:00.000Z',
      parent: 'al-ep2',
    });
    expect(await a.ledger.getBead('al-w1')).toMatchObject({
      issue_type: 'task',
      labels: ['beads-type:molecule'],
    });
    expect(await a.ledger.getBead('be-x1')).toMatchObject({ rig: 'beta', status: 'deferred', priority: 4 });
    expect(await a.ledger.getBead('hq-town1')).toMatchObject({ rig: null, status: 'pinned' });
    expect(await a.ledger.listComments('al-t1')).toMatchObject([
      { author: 'bob', text: 'looking', created_at: '2026-03-03T00:00:00.000Z' },
    ]);
    const edges = async (id: string) =>
      (await a.ledger.dependenciesOf(id)).map((d) => [d.depends_on_id, d.type, d.gate ?? '']);
    expect(await edges('al-t1')).toEqual([
      ['al-ep1', 'parent-child', ''],
      ['al-t2', 'blocks', ''],
    ]);
    expect(await edges('al-t2')).toEqual([
      ['al-ep1', 'related', ''],
      ['al-ep2', 'parent-child', ''],
      ['al-ep3', 'related', ''],
    ]);
    expect(await edges('al-w1')).toEqual([
      ['al-ep2', 'waits-for', 'any-children'],
      ['be-x1', 'related', ''],
    ]);
    expect(await edges('be-x1')).toEqual([['be-x1.1', 'related', '']]);
    expect(await edges('hq-town1')).toEqual([
      ['al-t1', 'discovered-from', ''],
      ['al-t2', 'related', ''],
    ]);
    const dep0 = (await a.ledger.dependenciesOf('al-t1'))[0];
    expect(dep0).toMatchObject({ created_at: '2026-03-02T00:00:00.000Z', created_by: 'carol' });
    const warnings = r.warnings.join('\n');
    expect(warnings).toMatch(/al-t2 → al-ep1: blocks imported as related: an epic and a task/);
    expect(warnings).toMatch(
      /al-t2 → al-ep3: parent-child imported as related: a second parent \(the first is al-ep2\)/,
    );
    expect(warnings).toMatch(/be-x1 → be-x1\.1: blocks imported as related: .*cycle/);
    expect(warnings).toMatch(/type molecule is not one of ours/);
    expect(warnings).toMatch(/duplicates edge to al-t2 imported as related/);
  });

  it('importing the same file again writes nothing; a newer export updates what changed', async () => {
    await a.ok('bd import', { file: FILE });
    const events = (await a.ledger.eventsSince(0, 10_000)).length;
    const again = await a.ok<ImportResult>('bd import', { file: FILE });
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 9, comments: 0, edges: 0 });
    expect((await a.ledger.eventsSince(0, 10_000)).length).toBe(events);

    const newer = FILE.replace('"title":"Child task"', '"title":"Child task, renamed"')
      .replace(`"updated_at":"${at(5)}"`, `"updated_at":"${at(9)}"`)
      .replace('"title":"Epic 3"', '"title":"Older edit ignored"')
      // al-t1 no longer depends on al-t2 upstream.
      .replace(`,${JSON.stringify(dep('al-t1', 'al-t2', 'blocks'))}`, '');
    expect(newer).not.toContain(JSON.stringify(dep('al-t1', 'al-t2', 'blocks')));
    const r = await a.ok<ImportResult>('bd import', { file: newer });
    expect(r).toMatchObject({
      created: 0,
      updated: 1,
      unchanged: 8,
      ids: { updated: ['al-t1'] },
      changes: { 'al-t1': ['title', 'dependencies'] },
    });
    expect((await a.ledger.dependenciesOf('al-t1')).map((d) => d.depends_on_id)).toEqual(['al-ep1']);
    expect(await a.ledger.getBead('al-t1')).toMatchObject({
      title: 'Child task, renamed',
      updated_at: '2026-03-09T00:00:00.000Z',
    });
    expect((await a.ledger.getBead('al-ep3'))?.title).toBe('Epic 3');
  });

  it('--dry-run says what would change and writes nothing', async () => {
    const before = (await a.ledger.eventsSince(0, 10_000)).length;
    const r = await a.ok<ImportResult>('bd import', { file: FILE, 'dry-run': true });
    expect(r).toMatchObject({ dry_run: true, created: 9, comments: 1 });
    expect(r.ids.created).toContain('al-t1');
    expect(r.warnings.join('\n')).toMatch(/al-t2 → al-ep1: blocks imported as related/);
    expect((await a.ledger.eventsSince(0, 10_000)).length).toBe(before);
    expect(await a.ledger.listBeads({ all: true })).toEqual([]);
  });

  it('refuses a bad file with the line numbers, an unknown prefix with a hint, and writes nothing', async () => {
    const bad = `${FILE}\n{"id":"al-zz","title":"no time"}\nnot json`;
    const reply = await a.run('bd import', { file: bad });
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error.message).toMatch(/line 10: created_at is missing/);
    expect(reply.error.message).toMatch(/line 11: not JSON/);
    const unknown = await a.run('bd import', {
      file: '{"id":"zz-1","title":"x","created_at":"2026-01-01T00:00:00Z"}',
    });
    expect(!unknown.ok && unknown.error.message).toMatch(
      /no rig has prefix zz \(zz-1\); run gt rig add <name> --prefix zz, or give --rig R/,
    );
    expect(await a.ledger.listBeads({ all: true })).toEqual([]);
    const placed = await a.ok<ImportResult>('bd import', {
      file: '{"id":"zz-1","title":"x","created_at":"2026-01-01T00:00:00Z"}',
      rig: 'beta',
    });
    expect(placed.created).toBe(1);
    expect(await a.ledger.getBead('zz-1')).toMatchObject({ rig: 'beta' });
    // Upstream's agent beads carry more hyphens than the prefix: the rig prefix they start with wins.
    await a.ok('bd import', {
      file: '{"id":"al-alpha-witness","title":"w","created_at":"2026-01-01T00:00:00Z"}',
    });
    expect(await a.ledger.getBead('al-alpha-witness')).toMatchObject({ rig: 'alpha' });
  });

  it('undoes a write that fails part-way, and a later import takes the undone beads over', async () => {
    failOn = { nth: 3, seen: 0 };
    const reply = await a.run('bd import', { file: FILE });
    expect(!reply.ok && reply.error.message).toMatch(/the store said no/);
    const left = await a.ledger.listBeads({});
    expect(left).toEqual([]); // every bead it made is closed
    failOn = null;
    const r = await a.ok<ImportResult>('bd import', { file: FILE });
    expect(r).toMatchObject({ created: 0, updated: 9 });
    expect(await a.ledger.getBead('al-t1')).toMatchObject({
      status: 'in_progress',
      updated_at: '2026-03-05T00:00:00.000Z',
    });
    expect(await a.ledger.getBead('al-t2')).toMatchObject({
      status: 'closed',
      close_reason: 'Merged in 1a2b',
    });
  });

  it('exports sorted and stable; export → import into an empty town round-trips exactly', async () => {
    // A ledger made by our own verbs, not by an import.
    const epic = await a.ok<{ id: string }>('bd create', { title: 'E', type: 'epic', rig: 'alpha' });
    const child = await a.ok<{ id: string }>('bd create', {
      title: 'C',
      parent: epic.id,
      labels: ['z', 'a'],
    });
    const other = await a.ok<{ id: string }>('bd create', { title: 'O', rig: 'beta', priority: '1' });
    await a.ok('bd dep add', { issue: other.id, 'depends-on': child.id });
    await a.ok('bd comment', { id: child.id, text: 'a note' });
    await a.ok('bd update', { id: other.id, title: 'O2', assignee: 'beta/Toast', status: 'in_progress' });
    await a.ok('bd close', { ids: [child.id], reason: 'done' });
    const first = await a.ok<ExportResult>('bd export');
    expect(first.issues).toBe(3);
    expect((await a.ok<ExportResult>('bd export')).jsonl).toBe(first.jsonl);
    const ids = first.jsonl.split('\n').map((l) => JSON.parse(l).id);
    expect(ids).toEqual([...ids].sort());

    const b = await town('b');
    const r = await b.ok<ImportResult>('bd import', { file: first.jsonl });
    expect(r.warnings).toEqual([]);
    expect((await b.ok<ExportResult>('bd export')).jsonl).toBe(first.jsonl);
    expect((await b.ok<ExportResult>('bd export', { rig: 'beta' })).jsonl).toBe(
      first.jsonl.split('\n').find((l) => l.includes(other.id)),
    );
  });
});
