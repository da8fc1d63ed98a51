import { COMPOSE_UNSUPPORTED, TOP_KEYS, TOP_UNSUPPORTED, VAR_KEYS } from './keys.ts';
import { parseStep } from './parse-step.ts';
import { readFormulaText } from './read-text.ts';
import { Reader } from './shape.ts';
import type { ComposeExpand, Formula, FormulaVar } from './types.ts';
import { validateFormula } from './validate.ts';

export interface ParseOptions {
  /**
   * Accept `required = true` together with `default` with a warning instead of an error.
   * bd and gc reject it; gt accepts it and a shipped gt formula (mol-shutdown-dance) has it.
   */
  lenient?: boolean;
}

/**
 * A formula file's text → Formula, validated (§2.4) so that a bad file is refused at load and
 * never half-poured. Pure: the caller reads the file and resolves `extends` later.
 */
export function parseFormula(
  text: string,
  fileName: string,
  options: ParseOptions = {},
): { formula: Formula; warnings: string[] } {
  const raw = readFormulaText(text, fileName);
  const r: Reader = new Reader(fileName);
  r.checkKeys(raw, '', TOP_KEYS, TOP_UNSUPPORTED);

  const name = r.optString(raw.formula, 'formula');
  if (!name) r.fail('formula_name', 'missing required key formula = "<name>"');
  const type = r.optString(raw.type, 'type') ?? (raw.template !== undefined ? 'expansion' : 'workflow');
  if (type !== 'workflow' && type !== 'expansion') {
    r.fail('formula_not_supported', `not supported: type = "${type}" (supported: workflow, expansion)`, {
      key: 'type',
    });
  }
  const version = r.optInt(raw.version, 'version') ?? 1;
  if (version < 0) r.fail('formula_version', `version must be 1 or more (got ${version})`);

  const formula: Formula = {
    name,
    version: version === 0 ? 1 : version,
    type,
    vars: parseVars(r, raw.vars, options),
    steps: r.tables(raw.steps, 'steps').map((s, i) => parseStep(r, s, `steps[${i}]`)),
    template: r.tables(raw.template, 'template').map((s, i) => parseStep(r, s, `template[${i}]`)),
    extends: r.strings(raw.extends, 'extends'),
    composeExpand: raw.compose === undefined ? [] : parseCompose(r, raw.compose),
    fileName,
  };
  const description = r.optString(raw.description, 'description');
  if (description !== undefined) formula.description = description;
  const phase = r.optString(raw.phase, 'phase');
  if (phase !== undefined) {
    if (phase !== 'liquid' && phase !== 'vapor')
      r.fail('formula_shape', `phase must be "liquid" or "vapor" (got "${phase}")`);
    formula.phase = phase;
  }
  const pour = r.optBool(raw.pour, 'pour');
  if (pour !== undefined) formula.pour = pour;

  validateFormula(formula, {
    requireKnownNeeds: formula.extends.length === 0 && formula.composeExpand.length === 0,
  });
  return { formula, warnings: r.warnings };
}

/** Both var forms: `[vars] x = "d"` (default only) and `[vars.x]` with its fields. */
function parseVars(r: Reader, value: unknown, options: ParseOptions): FormulaVar[] {
  if (value === undefined) return [];
  const vars: FormulaVar[] = [];
  for (const [name, def] of Object.entries(r.table(value, 'vars'))) {
    const path = `vars.${name}`;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      r.fail('formula_var', `${path}: a variable name must match [A-Za-z_][A-Za-z0-9_]*`);
    }
    if (typeof def === 'string') {
      vars.push({ name, default: def, required: false });
      continue;
    }
    const t = r.table(def, path);
    r.checkKeys(t, path, VAR_KEYS);
    const v: FormulaVar = { name, required: r.optBool(t.required, `${path}.required`) ?? false };
    const description = r.optString(t.description, `${path}.description`);
    if (description !== undefined) v.description = description;
    const dflt = t.default === undefined ? undefined : scalarText(r, t.default, `${path}.default`);
    if (dflt !== undefined) v.default = dflt;
    if (t.enum !== undefined) v.enum = r.strings(t.enum, `${path}.enum`);
    const pattern = r.optString(t.pattern, `${path}.pattern`);
    if (pattern !== undefined) {
      try {
        new RegExp(pattern);
      } catch {
        r.fail('formula_var', `${path}.pattern is not a valid regular expression: ${pattern}`);
      }
      v.pattern = pattern;
    }
    if (v.required && v.default !== undefined) {
      const msg = `${path}: required = true together with a default; drop one of them`;
      if (!options.lenient) r.fail('formula_var_required_default', msg, { var: name });
      r.warnings.push(`${msg} (lenient: treated as optional with its default)`);
      v.required = false;
    }
    if (v.default !== undefined && v.enum && !v.enum.includes(v.default)) {
      r.fail('formula_var', `${path}: default "${v.default}" is not one of ${v.enum.join(', ')}`);
    }
    vars.push(v);
  }
  return vars;
}

/** Defaults are text at substitution time; numbers/booleans are written as TOML scalars too. */
function scalarText(r: Reader, value: unknown, path: string): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  return r.fail('formula_shape', `${path} must be a string, number or boolean`);
}

function parseCompose(r: Reader, value: unknown): ComposeExpand[] {
  const raw = r.table(value, 'compose');
  r.checkKeys(raw, 'compose', new Set(['expand']), COMPOSE_UNSUPPORTED);
  return r.tables(raw.expand, 'compose.expand').map((e, i) => {
    const path = `compose.expand[${i}]`;
    r.checkKeys(e, path, new Set(['target', 'with', 'vars']));
    const target = r.optString(e.target, `${path}.target`);
    const withName = r.optString(e.with, `${path}.with`);
    if (!target || !withName)
      r.fail('formula_compose', `${path} needs target = "<step id>" and with = "<expansion formula>"`);
    const vars: Record<string, string> = {};
    if (e.vars !== undefined) {
      for (const [k, v] of Object.entries(r.table(e.vars, `${path}.vars`)))
        vars[k] = scalarText(r, v, `${path}.vars.${k}`);
    }
    return { target, with: withName, vars };
  });
}
