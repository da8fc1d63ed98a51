import { FormulaError } from './errors.ts';

/**
 * `{{name}}` substitution and the `condition` grammar of §1.5. Unresolved placeholders stay as
 * typed: text may legitimately carry `{{.leg.id}}` (Go templates) or prose braces meant for the
 * agent, so substitution is a single pass that touches only declared names with a value.
 */
const PLACEHOLDER = /\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}/g;

export function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) =>
    Object.hasOwn(vars, name) ? (vars[name] as string) : whole,
  );
}

/** Names referenced as `{{name}}` in a text. */
export function placeholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
}

const FALSY = new Set(['', 'false', '0', 'no', 'off']);
const CONDITION = /^\s*(!?)\s*\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}\s*(?:(==|!=)\s*(.*?))?\s*$/;

/**
 * `{{v}}` truthy, `!{{v}}` falsy, `{{v}} == x`, `{{v}} != x` (quotes around x stripped).
 * A condition naming an undeclared variable is refused (ours): upstream reads it as empty, so a
 * typo silently drops the step.
 */
export function evaluateCondition(condition: string, vars: Record<string, string>, where: string): boolean {
  const m = CONDITION.exec(condition);
  if (!m || (m[1] === '!' && m[3] !== undefined)) {
    throw new FormulaError(
      'formula_condition',
      `${where}: invalid step condition format "${condition}"; use {{v}}, !{{v}}, {{v}} == x or {{v}} != x`,
    );
  }
  const [, not, name, op, rawOperand] = m as unknown as [
    string,
    string,
    string,
    string | undefined,
    string | undefined,
  ];
  if (!Object.hasOwn(vars, name)) {
    throw new FormulaError(
      'formula_condition',
      `${where}: condition uses undeclared variable "${name}"; declare it under [vars]`,
    );
  }
  const value = vars[name] as string;
  if (op === undefined) return not === '!' ? FALSY.has(value.toLowerCase()) : !FALSY.has(value.toLowerCase());
  const operand = (rawOperand ?? '').replace(/^(["'])(.*)\1$/, '$2');
  return op === '==' ? value === operand : value !== operand;
}
