import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliReference } from '../../src/cli/cli-reference.ts';
import { LOCAL_VERBS } from '../../src/cli/local-verbs.ts';
import { CATALOG } from '../../src/commands/catalog.ts';

const ROOT = join(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe('docs/cli.md (the command reference)', () => {
  it('is what the catalog generates now (run `npm run docs:cli` after changing a verb)', () => {
    expect(read('docs/cli.md')).toBe(cliReference());
  });

  it('shows every verb with its usage line, and every flag with its description', () => {
    const doc = read('docs/cli.md');
    for (const def of CATALOG) {
      expect(doc, def.path.join(' ')).toContain(`### ${def.path.join(' ')}\n`);
      expect(doc).toContain(`\n${def.usage}\n`);
      for (const [name, spec] of Object.entries(def.syntax.flags)) {
        expect(doc).toContain(`\`--${name}\``);
        expect(doc).toContain(spec.description.replace(/\|/g, '\\|'));
      }
    }
    for (const v of LOCAL_VERBS) expect(doc).toContain(`\n${v.usage}\n`);
  });

  it('the README points to it for the command surface, not outside the repository', () => {
    const readme = read('README.md');
    expect(readme).toContain('(docs/cli.md)');
    expect(readme).not.toContain('../shared/CLI-CONTRACT.md');
  });
});
