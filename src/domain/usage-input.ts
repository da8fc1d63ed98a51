import type { AgentEvent } from './agent-output.ts';
import { usageError } from './errors.ts';

/**
 * The arguments of `gt usage report` as text (they arrive as CLI words, chat options or API
 * strings), checked strictly: a wrong count would be money recorded wrong, so nothing is guessed.
 */

/** Above any real session (a billion tokens is thousands of dollars): a typo, not usage. */
export const MAX_TOKENS = 1e12;
export const MAX_COST_USD = 1e6;
const MAX_TEXT = 200;

export function parseTokenCount(raw: string, flag: string): number {
  const n = /^\d{1,13}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n > MAX_TOKENS)
    throw usageError(
      'bad_tokens',
      `--${flag} ${JSON.stringify(raw)} is not a token count; give a whole number from 0 to ${MAX_TOKENS}, as the agent's CLI reported it`,
    );
  return n;
}

export function parseCostUsd(raw: string): number {
  const n = /^\d{1,7}(\.\d{1,12})?$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isFinite(n) || n > MAX_COST_USD)
    throw usageError(
      'bad_cost',
      `--cost ${JSON.stringify(raw)} is not an amount of dollars; give the CLI's figure as a plain number, e.g. --cost 0.0123`,
    );
  return n;
}

/** A model name or session id: printable text of at most 200 characters. */
export function parseReportText(raw: string, flag: string): string {
  const text = raw.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (text === '' || text.length > MAX_TEXT || /[\u0000-\u001f\u007f]/.test(text))
    throw usageError(
      'bad_text',
      `--${flag} must be 1 to ${MAX_TEXT} printable characters; give it as the agent's CLI reported it`,
    );
  return text;
}

/** Whose usage a runner reports: the polecat, its bead, and its rig. */
export interface UsageOwner {
  bead: string;
  agent: string;
  rig: string;
}

/** The `gt usage report` arguments for a parsed usage event (what a runner sends). */
export function usageReportArgs(
  event: Extract<AgentEvent, { kind: 'usage' }>,
  owner: UsageOwner,
): Record<string, string | boolean> {
  const u = event.usage;
  return {
    ...owner,
    input: String(u.input_tokens),
    output: String(u.output_tokens),
    'cache-read': String(u.cache_read_tokens),
    'cache-write': String(u.cache_write_tokens),
    ...(u.model !== null && { model: u.model }),
    // Fixed-point: String(1e-7) is "1e-7", which --cost refuses.
    ...(u.cost_usd !== null && { cost: u.cost_usd.toFixed(12).replace(/\.?0+$/, '') }),
    ...(event.session !== null && { session: event.session }),
    ...(event.cumulative && { cumulative: true }),
  };
}
