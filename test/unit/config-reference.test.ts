import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/app/config-schema.ts';

const ROOT = join(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** `NAME=value` lines of .env.example, each of which must follow a comment line. */
function envExample(): Map<string, { value: string; commented: boolean }> {
  const lines = read('.env.example').split('\n');
  const vars = new Map<string, { value: string; commented: boolean }>();
  lines.forEach((line, i) => {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) vars.set(m[1] as string, { value: m[2] as string, commented: /^# \S/.test(lines[i - 1] ?? '') });
  });
  return vars;
}

/** Rows of the reference's `| variable | flag | default | meaning |` tables. */
function referenceRows(): Map<string, { flag: string; default: string }> {
  const rows = new Map<string, { flag: string; default: string }>();
  let inTable = false;
  for (const line of read('docs/configuration.md').split('\n')) {
    if (line.startsWith('| variable | flag | default | meaning |')) inTable = true;
    else if (!line.startsWith('|')) inTable = false;
    const cells = line.split('|').map((c) => c.trim());
    const name = /^`([A-Z][A-Z0-9_]*)`$/.exec(cells[1] ?? '')?.[1];
    if (inTable && name) {
      const strip = (c: string | undefined) => (c ?? '').replace(/^`|`$/g, '');
      rows.set(name, { flag: strip(cells[2]), default: cells[3] === '—' ? '' : strip(cells[3]) });
    }
  }
  return rows;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('configuration reference', () => {
  const schema = Object.entries(SETTINGS);

  it('.env.example lists exactly the schema’s variables, each with a comment and its default', () => {
    const example = envExample();
    expect([...example.keys()].sort()).toEqual(schema.map(([name]) => name).sort());
    for (const [name, s] of schema) {
      expect(example.get(name), name).toEqual({ value: s.default, commented: true });
    }
  });

  it('docs/configuration.md documents exactly the schema’s variables with their flags and defaults', () => {
    const rows = referenceRows();
    expect([...rows.keys()].sort()).toEqual(schema.map(([name]) => name).sort());
    for (const [name, s] of schema) {
      expect(rows.get(name), name).toEqual({ flag: 'flag' in s ? s.flag : '', default: s.default });
    }
  });

  it('every GT_/SLACK_/DISCORD_ variable the code reads is documented', () => {
    const doc = read('docs/configuration.md');
    const read_ = new Set<string>();
    for (const file of sourceFiles(join(ROOT, 'src'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\benv\.((?:GT|SLACK|DISCORD)_[A-Z0-9_]+)/g))
        read_.add(m[1] as string);
    }
    expect(read_.size).toBeGreaterThan(3);
    const undocumented = [...read_].filter((name) => !doc.includes(`\`${name}\``));
    expect(undocumented).toEqual([]);
  });
});
