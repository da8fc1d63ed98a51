import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FormulaCatalog, FormulaEntry } from '../commands/command.ts';
import { type Formula, FormulaError, parseFormula } from '../domain/formula/index.ts';
import { formulaNameOf, formulaSearchPath } from '../domain/formula/search-path.ts';
import type { Rig } from '../domain/rig.ts';

/** The formulas this project ships. */
export const BUILTIN_FORMULAS = new URL('../../config/formulas', import.meta.url).pathname;

/**
 * Formula files on the search path (domain/formula/search-path.ts), read afresh on every call:
 * a formula edited in a rig's repository is what the next `gt formula run` uses. In one
 * directory a `.toml` wins over a `.json` of the same name; across directories, the first.
 * A file that does not parse is listed with its error rather than hidden.
 */
export function formulaFiles(o: {
  home: string;
  builtin?: string;
  rigs: () => Promise<Rig[]>;
}): FormulaCatalog {
  const entries = async (): Promise<FormulaEntry[]> => {
    const found = new Map<string, FormulaEntry>();
    for (const { dir, source } of formulaSearchPath(o.home, await o.rigs(), o.builtin ?? BUILTIN_FORMULAS)) {
      if (!existsSync(dir)) continue;
      const files = readdirSync(dir).sort(
        (a, b) => (a.endsWith('.toml') ? -1 : 0) - (b.endsWith('.toml') ? -1 : 0),
      );
      for (const file of files) {
        const name = formulaNameOf(file);
        if (name && !found.has(name)) found.set(name, read(join(dir, file), name, source));
      }
    }
    return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
  };
  return {
    list: entries,
    async load(name) {
      const all = await entries();
      const entry = all.find((e) => e.name === name) ?? null;
      const byName = new Map(all.flatMap((e) => (e.formula ? [[e.name, e.formula] as const] : [])));
      return { entry, names: all.map((e) => e.name), resolve: (n) => byName.get(n) ?? null };
    },
  };
}

function read(path: string, name: string, source: string): FormulaEntry {
  const text = readFileSync(path, 'utf8');
  const hash = createHash('sha256').update(text).digest('hex');
  try {
    const { formula, warnings } = parseFormula(text, path);
    return { name, path, source, hash, formula, warnings, error: null };
  } catch (err) {
    if (!(err instanceof FormulaError)) throw err;
    return { name, path, source, hash, formula: null as Formula | null, warnings: [], error: err.message };
  }
}
