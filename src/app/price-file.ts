import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type PriceTable, parsePriceTable, priceOf } from '../domain/pricing.ts';
import type { Pricer } from '../domain/usage.ts';

/** The price table of the checkout (docs/costs.md says how to update it). */
export const PRICES_FILE = join(import.meta.dirname, '../../config/prices.json');

/**
 * Reads the price table at start; null when there is no file (every cost the CLIs do not report
 * is then unpriced, and the service says so). A file that does not parse stops the start with
 * every problem named: prices silently ignored would be costs silently missing.
 */
export function loadPriceTable(path = PRICES_FILE): PriceTable | null {
  if (!existsSync(path)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path} is not JSON (${(err as Error).message}); fix it, see docs/costs.md`);
  }
  return parsePriceTable(raw);
}

/** Prices tokens from the table; null for a model it does not list (unpriced, never a default). */
export const pricerOf =
  (table: PriceTable): Pricer =>
  (usage) =>
    priceOf({ ...usage, cost_usd: null }, table).cost_usd;
