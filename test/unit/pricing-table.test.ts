import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ZERO_USAGE } from '../../src/domain/agent-output.ts';
import { normalizeModel, parsePriceTable, priceOf } from '../../src/domain/pricing.ts';

/** Dollars of tokens the CLI gave no dollars for, from config/prices.json. */
const table = parsePriceTable(
  JSON.parse(readFileSync(resolve(import.meta.dirname, '../../config/prices.json'), 'utf8')),
);
const usage = (model: string | null, over = {}) => ({
  ...ZERO_USAGE,
  input_tokens: 1_000_000,
  output_tokens: 100_000,
  cache_read_tokens: 2_000_000,
  cache_write_tokens: 400_000,
  model,
  ...over,
});

describe('pricing', () => {
  it('ships a dated table the service can read', () => {
    expect(table.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Object.keys(table.models).length).toBeGreaterThan(5);
  });

  it('prices input, output, cache reads and writes of a listed model, as an estimate', () => {
    // Sonnet 4.5: $3 in, $15 out, $0.30 cache read, $3.75 cache write per million.
    const priced = priceOf(usage('claude-sonnet-4-5'), table);
    expect(priced.estimated).toBe(true);
    expect(priced.cost_usd).toBeCloseTo(3 + 1.5 + 0.6 + 1.5, 10);
  });

  it('keeps the CLI’s own figure when it reported one', () => {
    expect(priceOf(usage('claude-sonnet-4-5', { cost_usd: 0.42 }), table)).toEqual({
      cost_usd: 0.42,
      estimated: false,
    });
    expect(priceOf(usage('no-such-model', { cost_usd: 0 }), table)).toEqual({
      cost_usd: 0,
      estimated: false,
    });
  });

  it('leaves an unknown or unnamed model unpriced, never priced at a default', () => {
    expect(priceOf(usage('gemini-3-pro'), table)).toEqual({ cost_usd: null, estimated: true });
    expect(priceOf(usage(null), table)).toEqual({ cost_usd: null, estimated: true });
  });

  it('matches dated, prefixed and tagged model ids to their base id', () => {
    for (const id of [
      'claude-sonnet-4-5-20250929',
      'anthropic/claude-sonnet-4-5',
      'claude-sonnet-4-5@20250929',
      'Claude-Sonnet-4-5[1m]',
      'claude-sonnet-4-5-latest',
    ])
      expect(normalizeModel(id)).toBe('claude-sonnet-4-5');
    expect(priceOf(usage('openai/gpt-5-codex'), table).cost_usd).toBeCloseTo(1.25 + 1 + 0.25, 10);
  });

  it('refuses a malformed table, naming every problem at once', () => {
    expect(() =>
      parsePriceTable({
        updated: 'yesterday',
        models: { a: { input: -1, output: 1, cache_read: 0, cache_write: 'x' } },
      }),
    ).toThrow(/"updated" must be the date.*model "a": input, cache_write must be dollars per million tokens/);
    expect(() => parsePriceTable([])).toThrow(/must be a JSON object/);
    // A model id like __proto__ is data, not a way into the object.
    const odd = parsePriceTable({
      updated: '2026-12-05',
      models: { ['__proto__']: { input: 1, output: 1, cache_read: 1, cache_write: 1 } },
    });
    expect(priceOf(usage('__proto__'), odd).cost_usd).toBeCloseTo(3.5, 10);
    expect(priceOf(usage('constructor'), odd).cost_usd).toBeNull();
  });
});
