/**
 * What an agent CLI's machine-readable output says, as the runner's parsers read it while it
 * streams (domain/runtimes/*). One vocabulary for every CLI, so the runner, the ledger's usage
 * records, budgets and the usage-limit verdict do not care which agent ran.
 */

/** Tokens and money of one stretch of work. Counts are whole tokens; cost is null when the CLI does not say. */
export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  model: string | null;
  /** Dollars as the CLI reported them; null: unknown (priced from config/prices.json, marked estimated). */
  cost_usd: number | null;
}

export type AgentEvent =
  /**
   * Usage so far. `cumulative`: the figures are the session's running totals (a resumed session
   * starts from its earlier totals), so the reader records the difference from the last total
   * seen for `session`, never the total twice.
   */
  | { kind: 'usage'; usage: Usage; cumulative: boolean; session: string | null }
  /** The agent hit a usage limit; `reset_at` (ISO) when the CLI says when it lifts. */
  | { kind: 'limit'; reset_at: string | null; message: string }
  /** The run ended as the CLI reports it (its own verdict, before the exit code). */
  | { kind: 'result'; ok: boolean; message: string | null; session: string | null }
  /** A line the parser could not read (malformed JSON, over-long): counted, never fatal. */
  | { kind: 'unreadable'; reason: string };

/** A streaming parser: fed stdout as it comes (any chunking), returns what each chunk completed. */
export interface OutputParser {
  push(chunk: string): AgentEvent[];
  /** The stream ended: whatever the last, unterminated line says. */
  end(): AgentEvent[];
}

export const ZERO_USAGE: Usage = {
  input_tokens: 0,
  output_tokens: 0,
  cache_read_tokens: 0,
  cache_write_tokens: 0,
  model: null,
  cost_usd: null,
};
