import { readFileSync, statSync } from 'node:fs';
import type { DomainError } from '../domain/errors.ts';
import { usageError } from '../domain/errors.ts';

/** Where a command's input text comes from (a file, or stdin); tests pass their own. */
export interface InputSource {
  file(path: string): string;
  stdin(): Promise<string>;
}

export interface InputLimits {
  maxBytes: number;
  /** The refusal when `what` (a path, or `stdin`) holds `bytes`, over the limit. */
  tooBig(what: string, bytes: number): DomainError;
  /** The refusal's code, and what to give instead, when a path cannot be read. */
  unreadable: { code: string; give: string };
}

/**
 * Files the CLI reads for a command that runs in the service (which cannot see the caller's
 * files): a path is refused before it is read when it is over the limit, and stdin stops at
 * the limit — a runaway pipe must not fill the memory.
 */
export function boundedInput(limits: InputLimits): InputSource {
  const unreadable = (path: string, why: string) =>
    usageError(limits.unreadable.code, `cannot read ${path} (${why}); give ${limits.unreadable.give}`);
  return {
    file(path) {
      let size: number;
      try {
        size = statSync(path).size;
      } catch (err) {
        throw unreadable(path, (err as NodeJS.ErrnoException).code ?? (err as Error).message);
      }
      if (size > limits.maxBytes) throw limits.tooBig(path, size);
      try {
        return readFileSync(path, 'utf8');
      } catch (err) {
        throw unreadable(path, (err as Error).message);
      }
    },
    async stdin() {
      const chunks: Buffer[] = [];
      let bytes = 0;
      for await (const chunk of process.stdin) {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
        bytes += buf.length;
        if (bytes > limits.maxBytes) throw limits.tooBig('stdin', bytes);
        chunks.push(buf);
      }
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}
