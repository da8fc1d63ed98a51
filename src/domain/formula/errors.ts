import { DomainError } from '../errors.ts';

/**
 * Every refusal of the formula loader. A usage error: the fix is always in the formula file or
 * in the `--var`s, so the message names the file and what to change. `code` lets callers and
 * tests tell refusals apart without matching prose.
 */
export class FormulaError extends DomainError {
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super('usage', code, message, details);
    this.name = 'FormulaError';
  }
}
