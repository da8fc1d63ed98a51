import type { Usage } from './agent-output.ts';

/**
 * Dollars of tokens a CLI reported without dollars (Codex, Gemini, Amp), from the operator's
 * price table (config/prices.json). Such a cost is an estimate and says so; a model the table
 * does not know is unpriced — not measured, not free — and never priced at some default.
 */

/** Dollars per million tokens of one model. */
export interface ModelPrice {
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
}

export interface PriceTable {
  /** When the table was last checked against the vendors' pages (ISO date). */
  updated: string;
  models: Readonly<Record<string, ModelPrice>>;
}

export interface Priced {
  /** Null: unpriced (no figure from the CLI, no price for the model). */
  cost_usd: number | null;
  /** Computed from the table (or unknown), not reported by the CLI. */
  estimated: boolean;
}

const RATES = ['input', 'output', 'cache_read', 'cache_write'] as const;

/**
 * The table as read from its file, checked: every problem at once, so an operator fixes the file
 * in one go. Fields besides the rates (source, verified) are kept out of the result.
 */
export function parsePriceTable(raw: unknown): PriceTable {
  const problems: string[] = [];
  const root = isRecord(raw) ? raw : {};
  if (!isRecord(raw)) problems.push('the price table must be a JSON object');
  const updated = typeof root.updated === 'string' ? root.updated : '';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(updated))
    problems.push('"updated" must be the date it was checked, YYYY-MM-DD');
  const models: Record<string, ModelPrice> = Object.create(null);
  const given = isRecord(root.models) ? root.models : {};
  if (!isRecord(root.models)) problems.push('"models" must map model ids to their prices');
  for (const [id, entry] of Object.entries(given)) {
    const price = readPrice(id, entry, problems);
    if (price) models[normalizeModel(id)] = price;
  }
  if (problems.length > 0) throw new Error(`config/prices.json: ${problems.join('; ')}`);
  return { updated, models };
}

function readPrice(id: string, entry: unknown, problems: string[]): ModelPrice | null {
  const e = isRecord(entry) ? entry : {};
  const bad = RATES.filter((r) => typeof e[r] !== 'number' || !Number.isFinite(e[r]) || (e[r] as number) < 0);
  if (bad.length === 0)
    return {
      input: e.input,
      output: e.output,
      cache_read: e.cache_read,
      cache_write: e.cache_write,
    } as ModelPrice;
  problems.push(
    `model ${JSON.stringify(id)}: ${bad.join(', ')} must be dollars per million tokens (0 or more)`,
  );
  return null;
}

/**
 * The id a model is priced under: lower case, without a provider prefix (`anthropic/…`, as
 * OpenCode names models), a snapshot date (`-20250929`, `-2026-04-01`), `-latest`, a Vertex
 * `@…` version or a `[1m]` context tag.
 */
export function normalizeModel(model: string): string {
  return (model.toLowerCase().trim().split('/').pop() ?? '')
    .replace(/\[[^\]]*\]$/, '')
    .replace(/@.*$/, '')
    .replace(/-(?:\d{8}|\d{4}-\d{2}-\d{2}|latest)$/, '');
}

export function priceFor(model: string | null, table: PriceTable): ModelPrice | null {
  if (!model) return null;
  return table.models[normalizeModel(model)] ?? null;
}

/** What `usage` cost: the CLI's own figure when it gave one, else the table's estimate, else unpriced. */
export function priceOf(usage: Usage, table: PriceTable): Priced {
  if (usage.cost_usd !== null) return { cost_usd: usage.cost_usd, estimated: false };
  const p = priceFor(usage.model, table);
  if (!p) return { cost_usd: null, estimated: true };
  const dollars =
    (usage.input_tokens * p.input +
      usage.output_tokens * p.output +
      usage.cache_read_tokens * p.cache_read +
      usage.cache_write_tokens * p.cache_write) /
    1_000_000;
  return { cost_usd: dollars, estimated: true };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
