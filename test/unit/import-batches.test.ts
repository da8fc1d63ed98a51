import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportPages } from '../../src/cli/export-pages.ts';
import { splitGlobalFlags } from '../../src/cli/global-flags.ts';
import { importInBatches } from '../../src/cli/import-batches.ts';
import type { Output } from '../../src/cli/output.ts';
import type { runRemote } from '../../src/cli/run-remote.ts';
import type { ExportResult } from '../../src/commands/bd/export.ts';
import type { ImportResult } from '../../src/commands/bd/import.ts';
import { CATALOG, resolveVerb } from '../../src/commands/catalog.ts';
import { verbName } from '../../src/commands/command.ts';
import { CommandRegistry } from '../../src/commands/registry.ts';
import { parseWords } from '../../src/commands/syntax.ts';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.ts';

/**
 * A file too big for one request goes in parts (cli/import-batches.ts) and an export comes in
 * pages (cli/export-pages.ts): the CLI's loops over the real command layer on a SQLite file,
 * with parts and pages made small so that a few hundred issues need several.
 */
describe('bd import in parts, bd export in pages', () => {
  let dir = '';
  let ledger: SqliteLedger;
  let registry: CommandRegistry;
  let calls: string[][] = [];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gt-batches-'));
    ledger = new SqliteLedger({ path: join(dir, 'ledger.db') });
    await ledger.init();
    registry = new CommandRegistry({ ledger, now: () => new Date() }, CATALOG, (err) => {
      throw err;
    });
    calls = [];
    await call(['rig', 'add', 'alpha', '--prefix', 'al'], 'gt');
  });
  afterEach(async () => {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What runRemote does, without NATS: words → the command layer → JSON or text. */
  async function call(argv: string[], root: 'gt' | 'bd' = 'bd', io?: Output): Promise<number> {
    const { flags, words } = splitGlobalFlags(argv);
    const resolved = resolveVerb(root, words);
    if (!resolved) throw new Error(`no verb ${words.join(' ')}`);
    const args = parseWords(resolved.rest, resolved.def.syntax, resolved.def.usage);
    const reply = await registry.execute({
      verb: verbName(resolved.def),
      args,
      actor: { kind: 'human', id: 'op' },
      source: 'cli',
    });
    if (!reply.ok) {
      io?.err(`error: ${reply.error.message}`);
      return reply.error.kind === 'usage' ? 2 : 1;
    }
    io?.out(flags.json ? JSON.stringify(reply.data) : resolved.def.text(reply.data));
    return 0;
  }
  const remote = (async (_root, argv, _env, io) => {
    calls.push([...argv]);
    // Pages of 40 beads, so that a few hundred need several.
    return call(argv[0] === 'export' ? [...argv, '--limit', '40'] : [...argv], 'bd', io);
  }) as typeof runRemote;
  const capture = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } as Output, out, err };
  };

  /** 200 issues; each of the first 100 blocks-depends on one 100 lines later (another part). */
  const file = Array.from({ length: 200 }, (_, i) => {
    const id = `al-${String(i).padStart(4, '0')}`;
    const deps =
      i < 100
        ? [
            {
              depends_on_id: `al-${String(i + 100).padStart(4, '0')}`,
              type: 'blocks',
              created_at: '2026-01-02T00:00:00Z',
            },
          ]
        : [];
    return JSON.stringify({
      id,
      title: `Issue ${i}`,
      created_at: '2026-01-01T00:00:00Z',
      dependencies: deps,
    });
  }).join('\n');

  it('checks every part first, writes them, then links the edges between parts; again changes nothing', async () => {
    const c = capture();
    expect(await importInBatches(['import', file, '--json'], {}, c.io, remote, 4_000)).toBe(0);
    const r = JSON.parse(c.out.join('')) as ImportResult;
    expect(r).toMatchObject({ created: 200, edges: 100, warnings: [] });
    const parts = calls.filter((a) => a.includes('--dry-run')).length;
    expect(parts).toBeGreaterThan(3);
    expect((await ledger.listBeads({ all: true })).length).toBe(200);
    expect((await ledger.dependenciesOf('al-0000')).map((d) => d.depends_on_id)).toEqual(['al-0100']);
    expect((await ledger.getBead('al-0000'))?.is_blocked).toBe(true);

    const again = capture();
    expect(await importInBatches(['import', file, '--json'], {}, again.io, remote, 4_000)).toBe(0);
    expect(JSON.parse(again.out.join(''))).toMatchObject({
      created: 0,
      updated: 0,
      unchanged: 200,
      edges: 0,
    });
    // Small texts take the ordinary path.
    expect(await importInBatches(['import', file], {}, capture().io, remote)).toBeNull();
  });

  it('a bad line in a late part is refused with the file’s line number before any part is written', async () => {
    const bad = `${file}\n{"id":"al-zz"`;
    const c = capture();
    expect(await importInBatches(['import', bad], {}, c.io, remote, 4_000)).toBe(2);
    expect(c.err.join('\n')).toMatch(/line 201: not JSON/);
    expect(await ledger.listBeads({ all: true })).toEqual([]);
  });

  it('prints every page of an export as one file, byte for byte the one-page answer', async () => {
    await importInBatches(['import', file], {}, capture().io, remote, 4_000);
    calls = [];
    const c = capture();
    expect(await exportPages(['export'], {}, c.io, remote)).toBe(0);
    expect(calls.length).toBe(5);
    const whole = await registry.execute({
      verb: 'bd export',
      args: {},
      actor: { kind: 'human', id: 'op' },
      source: 'cli',
    });
    if (!whole.ok) throw new Error(whole.error.message);
    expect(c.out.join('\n')).toBe((whole.data as ExportResult).jsonl);
    expect((whole.data as ExportResult).next).toBeNull();
    const json = capture();
    expect(await exportPages(['export', '--json'], {}, json.io, remote)).toBe(0);
    expect(JSON.parse(json.out.join(''))).toMatchObject({
      issues: 200,
      jsonl: (whole.data as ExportResult).jsonl,
    });
    expect(await exportPages(['export', '--limit', '3'], {}, capture().io, remote)).toBeNull();
  });
});
