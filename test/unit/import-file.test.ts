import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GraphSource } from '../../src/cli/graph-file.ts';
import { importFileIndex, localImportFiles, withImportFile } from '../../src/cli/import-file.ts';

/** `bd import <file|->`: the CLI reads the file and sends its text in place of the path. */
describe('withImportFile', () => {
  const source: GraphSource = {
    file: (path) => `text of ${path}`,
    stdin: async () => 'text of stdin',
  };

  it('replaces the path (after flags and their values) or - with the text; leaves other verbs alone', async () => {
    expect(await withImportFile(['import', 'issues.jsonl'], source)).toEqual([
      'import',
      'text of issues.jsonl',
    ]);
    expect(await withImportFile(['--json', 'import', '--rig', 'alpha', '--dry-run', '-'], source)).toEqual([
      '--json',
      'import',
      '--rig',
      'alpha',
      '--dry-run',
      'text of stdin',
    ]);
    expect(await withImportFile(['create', 'issues.jsonl'], source)).toEqual(['create', 'issues.jsonl']);
    expect(await withImportFile(['import', '--help'], source)).toEqual(['import', '--help']);
  });

  it('finds the file argument after flags and their values, or none', () => {
    expect(importFileIndex(['import', '--rig', 'a', '--first-line', '3', 'f'])).toBe(5);
    expect(importFileIndex(['import', '--dry-run', '--', '-x.jsonl'])).toBe(3);
    expect(importFileIndex(['import', '--dry-run'])).toBe(-1);
    expect(importFileIndex(['export', 'f'])).toBe(-1);
  });

  it('refuses an empty file and a missing one, each with what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gt-import-file-'));
    try {
      const empty = join(dir, 'empty.jsonl');
      writeFileSync(empty, '\n');
      await expect(withImportFile(['import', empty])).rejects.toThrow(/is empty; give a beads JSONL export/);
      await expect(withImportFile(['import', join(dir, 'nope.jsonl')])).rejects.toThrow(
        /cannot read .*ENOENT.*give the path of a beads JSONL file/,
      );
      expect(localImportFiles.file(empty)).toBe('\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
