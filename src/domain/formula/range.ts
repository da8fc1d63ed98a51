import { FormulaError } from './errors.ts';

/**
 * `loop.range = "a..b"`: integers with + - * / ^ and parentheses (§1.6). A tiny recursive
 * descent parser instead of eval: the text comes from a formula file.
 */
export function evaluateRange(text: string, where: string): { start: number; end: number } {
  const parts = text.split('..');
  if (parts.length !== 2) throw rangeError(where, text, 'write it as "<start>..<end>"');
  const start = evaluate(parts[0] as string, where, text);
  const end = evaluate(parts[1] as string, where, text);
  if (end < start) throw rangeError(where, text, `end ${end} is before start ${start}`);
  return { start, end };
}

function evaluate(expr: string, where: string, whole: string): number {
  const tokens = expr.match(/\d+|[-+*/^()]|\S/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const primary = (): number => {
    const t = tokens[i++];
    if (t === '(') {
      const v = sum();
      if (tokens[i++] !== ')') throw rangeError(where, whole, 'missing )');
      return v;
    }
    if (t === '-') return -primary();
    if (t !== undefined && /^\d+$/.test(t)) return Number(t);
    throw rangeError(where, whole, `unexpected ${t === undefined ? 'end' : `"${t}"`}`);
  };
  const power = (): number => {
    const base = primary();
    if (peek() !== '^') return base;
    i++;
    return base ** power(); // right-associative
  };
  const product = (): number => {
    let v = power();
    while (peek() === '*' || peek() === '/') v = tokens[i++] === '*' ? v * power() : Math.trunc(v / power());
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (peek() === '+' || peek() === '-') v = tokens[i++] === '+' ? v + product() : v - product();
    return v;
  };
  const value = sum();
  if (i !== tokens.length) throw rangeError(where, whole, `unexpected "${tokens[i]}"`);
  if (!Number.isFinite(value)) throw rangeError(where, whole, 'value is not a finite integer');
  return value;
}

function rangeError(where: string, text: string, why: string) {
  return new FormulaError('formula_loop', `${where}: invalid loop range "${text}": ${why}`);
}
