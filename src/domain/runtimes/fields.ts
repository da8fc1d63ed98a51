import type { Usage } from '../agent-output.ts';

/**
 * Reading fields of a CLI's JSON without trusting its shape: a field of the wrong type reads as
 * absent, a count that is not a finite, non-negative number reads as 0. What the agent printed
 * can be anything (the model writes some of it), so no reader casts blindly.
 */
export type Json = Record<string, unknown>;

export const obj = (v: unknown): Json | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null;

export const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** A token count: whole and non-negative, else 0. */
export const count = (v: unknown): number =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0;

/** Dollars: a finite, non-negative number, else null (unknown, never 0). */
export const dollars = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;

/** The first text block of a Messages-API style `content` array, or a plain string. */
export function firstText(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  for (const block of content) {
    const text = str(obj(block)?.text);
    if (text) return text;
  }
  return null;
}

/** Messages shown in chat and liveness stay short: a result's text can be a whole report. */
export const MAX_MESSAGE = 500;
export const clip = (text: string): string =>
  text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;

/** Nothing spent: a startup failure's zeroed result, a synthetic message. Not worth a report. */
export const isEmpty = (u: Usage): boolean =>
  u.input_tokens + u.output_tokens + u.cache_read_tokens + u.cache_write_tokens === 0 && !u.cost_usd;
