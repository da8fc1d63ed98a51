import { FormulaError } from './errors.ts';
import type { Formula } from './types.ts';

/**
 * Passed `--var`s + declared defaults → the values used for substitution. Stricter than bd on
 * purpose (§7): an unknown `--var` is a typo, not a wish, and enum/pattern are enforced rather
 * than decorative. A var with no default is required when declared `required` or referenced by
 * `{{name}}` somewhere (bd's rule, so an unreferenced optional var may stay unset).
 */
export function resolveVars(
  formula: Formula,
  passed: Record<string, string>,
  referenced: Set<string>,
): Record<string, string> {
  const where = formula.fileName;
  const declared = new Map(formula.vars.map((v) => [v.name, v]));
  const unknown = Object.keys(passed).filter((k) => !declared.has(k));
  if (unknown.length > 0) {
    const names = [...declared.keys()].join(', ') || '(none)';
    throw new FormulaError(
      'formula_unknown_var',
      `${where}: unknown variable${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; formula "${formula.name}" declares: ${names}`,
      { unknown, declared: [...declared.keys()] },
    );
  }
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const v of formula.vars) {
    const value = Object.hasOwn(passed, v.name) ? passed[v.name] : v.default;
    if (value === undefined) {
      if (v.required || referenced.has(v.name)) missing.push(v.name);
      continue;
    }
    if (v.enum && !v.enum.includes(value)) {
      throw new FormulaError(
        'formula_var_enum',
        `${where}: variable ${v.name} = "${value}" is not allowed; allowed values: ${v.enum.join(', ')}`,
        { var: v.name, allowed: v.enum },
      );
    }
    // Whole-value match: a pattern like \d+ must not accept "12abc".
    if (v.pattern !== undefined && !new RegExp(`^(?:${v.pattern})$`).test(value)) {
      throw new FormulaError(
        'formula_var_pattern',
        `${where}: variable ${v.name} = "${value}" does not match pattern ${v.pattern}`,
        { var: v.name, pattern: v.pattern },
      );
    }
    values[v.name] = value;
  }
  if (missing.length > 0) {
    throw new FormulaError(
      'formula_missing_vars',
      `${where}: missing required variables: ${missing.join(', ')}; pass ${missing.map((m) => `--var ${m}=<value>`).join(' ')}`,
      { missing },
    );
  }
  return values;
}
