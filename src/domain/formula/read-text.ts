import { parse as parseToml, TomlError } from 'smol-toml';
import { FormulaError } from './errors.ts';

/**
 * Text → plain object, TOML or JSON chosen by the file name. Kept apart from the meaning of the
 * keys so that the only thing this file knows is syntax, and a syntax error always comes back
 * with a line and a column (the author fixes the file, not our code).
 */
export function readFormulaText(text: string, fileName: string): Record<string, unknown> {
  const data = fileName.endsWith('.json') ? readJson(text, fileName) : readToml(text, fileName);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new FormulaError(
      'formula_syntax',
      `${fileName}: a formula must be a table/object at the top level`,
    );
  }
  return data as Record<string, unknown>;
}

function readToml(text: string, fileName: string): unknown {
  try {
    return parseToml(text);
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    // smol-toml's message repeats the source excerpt; keep only its first line ("what").
    const what = err.message.split('\n')[0]?.replace(/^Invalid TOML document: /, '') ?? 'invalid TOML';
    throw syntaxError(fileName, 'TOML', err.line, err.column, what);
  }
}

function readJson(text: string, fileName: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    const { line, column } = jsonPosition(text, err.message);
    const what = err.message.replace(/ in JSON at position.*$/, '').replace(/^JSON\.parse: /, '');
    throw syntaxError(fileName, 'JSON', line, column, what);
  }
}

/** V8 says "(line L column C)" in recent versions and only "position N" in older ones. */
function jsonPosition(text: string, message: string): { line: number; column: number } {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /position (\d+)/.exec(message);
  const offset = pos ? Number(pos[1]) : text.length;
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

function syntaxError(fileName: string, lang: string, line: number, column: number, what: string) {
  return new FormulaError(
    'formula_syntax',
    `${fileName}:${line}:${column}: malformed ${lang}: ${what}; fix the ${lang} syntax at line ${line}, column ${column}`,
    { line, column },
  );
}
