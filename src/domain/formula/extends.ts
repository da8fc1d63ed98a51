import { FormulaError } from './errors.ts';
import type { Formula, FormulaStep, FormulaVar } from './types.ts';

/** Looks a formula up by name (the file system lives in the caller). */
export type FormulaResolver = (name: string) => Formula | null;

/**
 * `extends` (§1.7): parents first in their order, a child step with the same id replaces the
 * parent step in place (whole step), new child steps appended; child vars override; the child's
 * description wins when set. Recursive, with the chain kept for the cycle message.
 */
export function resolveExtends(formula: Formula, resolve: FormulaResolver, chain: string[] = []): Formula {
  if (formula.extends.length === 0) return formula;
  const here = [...chain, formula.name];
  let steps: FormulaStep[] = [];
  let vars: FormulaVar[] = [];
  const compose = [];
  let description: string | undefined;
  for (const parentName of formula.extends) {
    if (here.includes(parentName)) {
      const cycle = [...here.slice(here.indexOf(parentName)), parentName];
      throw new FormulaError(
        'formula_extends_cycle',
        `${formula.fileName}: circular extends detected: ${cycle.join(' -> ')}`,
        {
          cycle,
        },
      );
    }
    const found = resolve(parentName);
    if (!found) {
      throw new FormulaError(
        'formula_extends_unknown',
        `${formula.fileName}: extends unknown formula "${parentName}"; check the name or add ${parentName}.formula.toml`,
      );
    }
    const parent = resolveExtends(found, resolve, here);
    steps = overlay(steps, parent.steps);
    vars = mergeVars(vars, parent.vars);
    compose.push(...parent.composeExpand);
    description = parent.description ?? description;
  }
  const merged: Formula = {
    ...formula,
    steps: overlay(steps, formula.steps),
    vars: mergeVars(vars, formula.vars),
    composeExpand: [...compose, ...formula.composeExpand],
    extends: [],
  };
  const desc = formula.description ?? description;
  if (desc !== undefined) merged.description = desc;
  return merged;
}

function overlay(base: FormulaStep[], over: FormulaStep[]): FormulaStep[] {
  const out = [...base];
  for (const step of over) {
    const at = out.findIndex((s) => s.id === step.id);
    if (at >= 0) out[at] = step;
    else out.push(step);
  }
  return out;
}

function mergeVars(base: FormulaVar[], over: FormulaVar[]): FormulaVar[] {
  const byName = new Map(base.map((v) => [v.name, v]));
  for (const v of over) byName.set(v.name, v);
  return [...byName.values()];
}
