import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, Town } from './town.ts';

type Bead = { id: string };
type Created = {
  ids: Record<string, string>;
  rigs: Record<string, string>;
  warnings: string[];
  dry_run: boolean;
};

const BD = join(process.env.GT_E2E_BIN_DIR ?? resolve(import.meta.dirname, '../../bin'), 'bd.mjs');

/**
 * `bd create --graph plan.json` as a planner runs it (formulas.md §8 scenario 36): the CLI reads
 * the file (or stdin), the service checks the whole plan first and writes it, answering key → id.
 */
describe('bd create --graph against a running gt up', () => {
  const town = new Town();
  beforeAll(async () => {
    await town.up();
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al']);
  }, 30_000);
  afterAll(() => town.destroy());

  const planFile = (name: string, doc: unknown) => {
    const path = join(town.home, name);
    writeFileSync(path, JSON.stringify(doc, null, 2));
    return path;
  };
  const count = async () => (await town.json<Bead[]>('bd', ['list', '--all'])).length;
  /** `bd` with `input` on its stdin. */
  const withStdin = (args: string[], input: string) =>
    new Promise<CliResult>((done) => {
      const child = execFile(
        process.execPath,
        [BD, ...args],
        { env: town.env(), timeout: 30_000 },
        (err, stdout, stderr) =>
          done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
      child.stdin?.end(input);
    });

  const plan = {
    nodes: [
      { key: 'schema', title: 'Design the schema', priority: 1 },
      { key: 'migration', title: 'Write the migration', labels: ['db'] },
      { key: 'ship', title: 'Ship it', type: 'feature', notes: 'unknown field' },
    ],
    edges: [
      { from_key: 'migration', to_key: 'schema' },
      { from_key: 'ship', to_key: 'migration' },
    ],
  };

  it('an edge to a missing key is refused (exit 2) and nothing is written', async () => {
    const before = await count();
    const bad = planFile('bad.json', {
      ...plan,
      edges: [...plan.edges, { from_key: 'ship', to_key: 'nope' }],
    });
    const r = await town.run('bd', ['create', '--graph', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'edges[2]: to_key "nope" names no node; use one of the keys: schema, migration, ship',
    );
    expect(await count()).toBe(before);
  });

  it('--dry-run checks and writes nothing; the real run prints key → id and leaves one bead ready', async () => {
    const file = planFile('plan.json', plan);
    const before = await count();
    const dry = await town.json<Created>('bd', ['create', '--graph', file, '--dry-run']);
    expect(dry).toMatchObject({
      dry_run: true,
      ids: {},
      rigs: { schema: 'alpha', migration: 'alpha', ship: 'alpha' },
    });
    expect(await count()).toBe(before);

    const r = await town.run('bd', ['create', '--graph', file]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, 3)).toEqual([
      expect.stringMatching(/^schema → al-[0-9a-z]+$/),
      expect.stringMatching(/^migration → al-[0-9a-z]+$/),
      expect.stringMatching(/^ship → al-[0-9a-z]+$/),
    ]);
    expect(lines[3]).toMatch(/^warning: nodes\[2\]\.notes: unknown field, ignored/);
    const ids = Object.fromEntries(lines.slice(0, 3).map((l) => l.split(' → ') as [string, string]));
    const ready = (await town.json<Bead[]>('bd', ['ready'])).map((b) => b.id);
    expect(ready).toContain(ids.schema);
    expect(ready).not.toContain(ids.migration);
    expect(ready).not.toContain(ids.ship);
    expect(await count()).toBe(before + 3);
  });

  it('reads the plan from stdin with -', async () => {
    const r = await withStdin(
      ['create', '--graph', '-', '--json'],
      JSON.stringify({ nodes: [{ key: 'x', title: 'From stdin' }] }),
    );
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Created).ids.x).toMatch(/^al-/);
  });
});
