import { FormulaError } from './errors.ts';

/**
 * Small typed readers for the raw parsed object. Every wrong shape becomes a FormulaError that
 * names the file and the key path (`steps[1].needs`), since TOML/JSON parsed fine but the
 * author still has something to fix.
 */
export type Raw = Record<string, unknown>;

export class Reader {
  readonly warnings: string[] = [];
  readonly fileName: string;
  constructor(fileName: string) {
    this.fileName = fileName;
  }

  fail(code: string, message: string, details: Record<string, unknown> = {}): never {
    throw new FormulaError(code, `${this.fileName}: ${message}`, details);
  }

  table(value: unknown, path: string): Raw {
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
      return value as Raw;
    }
    return this.fail('formula_shape', `${path} must be a table`);
  }

  optString(value: unknown, path: string): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string') this.fail('formula_shape', `${path} must be a string`);
    return value;
  }

  optBool(value: unknown, path: string): boolean | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') this.fail('formula_shape', `${path} must be true or false`);
    return value;
  }

  optInt(value: unknown, path: string): number | undefined {
    if (value === undefined) return undefined;
    // smol-toml returns bigint only for integers outside the safe range: refuse those too.
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.fail('formula_shape', `${path} must be an integer`);
    }
    return value;
  }

  strings(value: unknown, path: string): string[] {
    if (value === undefined) return [];
    if (typeof value === 'string') return [value];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      this.fail('formula_shape', `${path} must be a list of strings`);
    }
    return value as string[];
  }

  tables(value: unknown, path: string): Raw[] {
    if (value === undefined) return [];
    if (!Array.isArray(value))
      this.fail('formula_shape', `${path} must be a list of tables (use [[${path}]])`);
    return value.map((v, i) => this.table(v, `${path}[${i}]`));
  }

  /** Warn about keys nobody reads; refuse keys of features we do not implement. */
  checkKeys(raw: Raw, path: string, known: Set<string>, unsupported: Set<string> = new Set()): void {
    const ignored: string[] = [];
    for (const key of Object.keys(raw)) {
      const full = path ? `${path}.${key}` : key;
      if (unsupported.has(key)) this.fail('formula_not_supported', `not supported: ${full}`, { key: full });
      if (!known.has(key)) ignored.push(full);
    }
    if (ignored.length > 0) this.warnings.push(`ignored unknown keys: ${ignored.join(', ')}`);
  }
}
