/**
 * The one error type the domain raises. `code` is stable (tests and clients branch on it);
 * `message` says what went wrong and, where possible, what to do about it.
 *
 * `kind` maps onto the CLI contract's exit codes: `usage` → 2, `refused`/`not_found`/`conflict` → 1.
 */
export type DomainErrorKind = 'usage' | 'refused' | 'not_found' | 'conflict';

export class DomainError extends Error {
  readonly code: string;
  readonly kind: DomainErrorKind;
  readonly details: Record<string, unknown>;

  constructor(kind: DomainErrorKind, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'DomainError';
    this.kind = kind;
    this.code = code;
    this.details = details;
  }
}

export const usageError = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('usage', code, message, details);

export const refused = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('refused', code, message, details);

export const notFound = (what: string, id: string) =>
  new DomainError(
    'not_found',
    'not_found',
    `${what} ${JSON.stringify(id)} not found; check the id with \`bd list --all\``,
    {
      id,
    },
  );

export const conflict = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('conflict', code, message, details);
