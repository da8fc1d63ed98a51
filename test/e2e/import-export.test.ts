import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Town } from './town.ts';

type Imported = { created: number; updated: number; unchanged: number; edges: number; warnings: string[] };

/**
 * `bd import` / `bd export` through the real CLI and service: the CLI reads the file and sends
 * its text; the export on stdout is the file to commit, and importing it again changes nothing.
 */
describe('bd import / bd export against a running gt up', () => {
  const town = new Town();
  beforeAll(async () => {
    await town.up();
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al']);
  }, 30_000);
  afterAll(() => town.destroy());

  const file = (name: string, text: string) => {
    const path = join(town.home, name);
    writeFileSync(path, text);
    return path;
  };
  const issues = [
    { id: 'al-e1', title: 'Epic', issue_type: 'epic', created_at: '2026-03-01T00:00:00Z' },
    {
      id: 'al-t1',
      title: 'Task',
      status: 'closed',
      close_reason: 'done',
      labels: ['db'],
      created_at: '2026-03-01T01:00:00Z',
      updated_at: '2026-03-02T00:00:00Z',
      closed_at: '2026-03-02T00:00:00Z',
      comments: [{ author: 'bob', text: 'hi', created_at: '2026-03-01T02:00:00Z' }],
      dependencies: [
        {
          issue_id: 'al-t1',
          depends_on_id: 'al-e1',
          type: 'parent-child',
          created_at: '2026-03-01T01:00:00Z',
        },
      ],
    },
    {
      id: 'al-t2',
      title: 'Legacy',
      created_at: '2026-03-01T03:00:00Z',
      dependencies: [
        { issue_id: 'al-t2', depends_on_id: 'al-e1', type: 'blocks', created_at: '2026-03-01T03:00:00Z' },
      ],
    },
  ];
  const jsonl = issues.map((i) => JSON.stringify(i)).join('\n');

  it('a malformed line is refused with its number (exit 2) and nothing is written', async () => {
    const r = await town.run('bd', ['import', file('bad.jsonl', `${jsonl}\n{"id":"al-x"`)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/line 4: not JSON/);
    expect(await town.json<unknown[]>('bd', ['list', '--all'])).toEqual([]);
  });

  it('dry run, import, export, import of the export: ids kept, legacy edge listed, nothing changes again', async () => {
    const path = file('issues.jsonl', jsonl);
    const dry = await town.run('bd', ['import', path, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      /would import: 3 new, 0 updated, 0 unchanged; 1 comment\(s\), 2 edge\(s\) \(dry run/,
    );
    expect(dry.stdout).toMatch(/al-t2 → al-e1: blocks imported as related/);
    const r = await town.json<Imported>('bd', ['import', path]);
    expect(r).toMatchObject({ created: 3, edges: 2 });
    const exported = await town.run('bd', ['export']);
    expect(exported.code).toBe(0);
    const lines = exported.stdout.trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l).id)).toEqual(['al-e1', 'al-t1', 'al-t2']);
    expect(JSON.parse(lines[1] as string)).toMatchObject({
      status: 'closed',
      closed_at: '2026-03-02T00:00:00.000Z',
      updated_at: '2026-03-02T00:00:00.000Z',
      comments: [{ author: 'bob', text: 'hi' }],
    });
    const again = await town.json<Imported>('bd', ['import', file('export.jsonl', exported.stdout)]);
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 3, edges: 0 });
    expect((await town.run('bd', ['export'])).stdout).toBe(exported.stdout);
  });
});
