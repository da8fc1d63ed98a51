import { usageError } from '../domain/errors.ts';
import type { Args } from './syntax.ts';

/** Typed reads of parsed arguments (the syntax check already guaranteed the shapes). */

export const optString = (args: Args, name: string): string | undefined => {
  const v = args[name];
  return typeof v === 'string' ? v : undefined;
};

export const reqString = (args: Args, name: string): string => {
  const v = optString(args, name);
  if (v === undefined)
    throw usageError('missing_argument', `missing <${name}>: give it (see gt help for the usage)`);
  return v;
};

export const flag = (args: Args, name: string): boolean => args[name] === true;

export const list = (args: Args, name: string): string[] => {
  const v = args[name];
  if (Array.isArray(v)) return v;
  return typeof v === 'string' ? [v] : [];
};

/** Parses `--limit N`-style numbers with a clear error. */
export function optInt(args: Args, name: string, min: number, max: number): number | undefined {
  const raw = optString(args, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw usageError(
      'bad_number',
      `--${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(raw)}`,
    );
  }
  return n;
}
