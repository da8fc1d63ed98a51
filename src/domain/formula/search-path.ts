import { join } from 'node:path';

/** Where a formula file comes from: the town's own, a rig's repository, or the project's built-ins. */
export interface FormulaDir {
  dir: string;
  source: string;
}

/**
 * The formula search path, first hit wins: the town's own (`$GT_HOME/formulas`: what its operator
 * wrote or overrides), then each rig's repository (`.beads/formulas`, where Gas Town and beads
 * users already keep theirs), then the formulas this project ships (`config/formulas`).
 */
export function formulaSearchPath(
  home: string,
  rigs: ReadonlyArray<{ name: string; repo: string | null }>,
  builtin: string,
): FormulaDir[] {
  return [
    { dir: join(home, 'formulas'), source: 'town' },
    ...rigs.flatMap((r) =>
      r.repo ? [{ dir: join(r.repo, '.beads', 'formulas'), source: `rig ${r.name}` }] : [],
    ),
    { dir: builtin, source: 'built-in' },
  ];
}

/** `<name>.formula.toml` (preferred) or `<name>.formula.json`: the name, else null. */
export function formulaNameOf(file: string): string | null {
  const m = /^(.+)\.formula\.(toml|json)$/.exec(file);
  return m ? (m[1] as string) : null;
}
