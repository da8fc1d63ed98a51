import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/bd.ts';
import { type GraphSource, localFiles, withGraphFile } from '../../src/cli/graph-file.ts';
import { MAX_GRAPH_BYTES } from '../../src/domain/bead-graph.ts';

/**
 * `bd create --graph <file|->`: the CLI reads the plan (the service cannot see the caller's
 * files) and sends its text in place of the path; a missing, empty or too big file is a usage
 * error before anything travels.
 */
describe('bd create --graph: the CLI reads the file', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gt-graph-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const plan = '{"nodes": [{"key": "a", "title": "A"}]}';
  const stdinOf = (text: string): GraphSource => ({ ...localFiles, stdin: async () => text });

  it('puts the file’s text (or stdin’s) in place of the path, for bd create only', async () => {
    const file = join(dir, 'plan.json');
    writeFileSync(file, plan);
    expect(await withGraphFile(['create', '--graph', file, '--dry-run'])).toEqual([
      'create',
      '--graph',
      plan,
      '--dry-run',
    ]);
    expect(await withGraphFile(['--json', 'create', `--graph=${file}`])).toEqual([
      '--json',
      'create',
      `--graph=${plan}`,
    ]);
    expect(await withGraphFile(['create', '--graph', '-'], stdinOf(plan))).toEqual([
      'create',
      '--graph',
      plan,
    ]);
    // Already JSON (a script passing it inline): sent as it is.
    expect(await withGraphFile(['create', '--graph', plan])).toEqual(['create', '--graph', plan]);
    // Other verbs, a title after `--`, and --help are left alone.
    expect(await withGraphFile(['list', '--graph', file])).toEqual(['list', '--graph', file]);
    expect(await withGraphFile(['create', '--', '--graph'])).toEqual(['create', '--', '--graph']);
    expect(await withGraphFile(['create', '--graph', file, '--help'])).toEqual([
      'create',
      '--graph',
      file,
      '--help',
    ]);
  });

  it('refuses a missing, empty or too big file with a usage error (exit 2), before calling the service', async () => {
    const big = join(dir, 'big.json');
    writeFileSync(big, ' '.repeat(MAX_GRAPH_BYTES + 1));
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, '\n');
    const cases: Array<[string[], GraphSource | undefined, RegExp]> = [
      [
        ['create', '--graph', join(dir, 'nope.json')],
        undefined,
        /cannot read .*nope\.json \(ENOENT\); give the path/,
      ],
      [['create', '--graph', empty], undefined, /empty\.json is empty; give the plan as JSON/],
      [
        ['create', '--graph', big],
        undefined,
        /big\.json is 4\.0 MiB; a graph may be at most 4\.0 MiB: split the plan/,
      ],
      [['create', '--graph', '-'], stdinOf(''), /stdin is empty/],
    ];
    for (const [argv, source, message] of cases) {
      const err: string[] = [];
      const io = { out: () => undefined, err: (t: string) => err.push(t) };
      // No service anywhere: reaching it would be exit 3, not 2.
      const code = await main(argv, { GT_NATS_URL: 'nats://127.0.0.1:1' }, io, source);
      expect({ code, err: err.join('\n') }).toEqual({ code: 2, err: expect.stringMatching(message) });
    }
  });
});
