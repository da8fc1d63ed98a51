import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPriceTable, pricerOf } from '../../src/app/price-file.ts';
import { ZERO_USAGE } from '../../src/domain/agent-output.ts';
import { type Pricer, type SessionTotals, usageStep } from '../../src/domain/usage.ts';
import { costsReport, costText, formatTokens, formatUsd } from '../../src/domain/usage-costs.ts';
import { parseSince } from '../../src/domain/usage-filter.ts';
import { parseCostUsd, parseTokenCount } from '../../src/domain/usage-input.ts';

const tokens = (input: number, output = 0, cost: number | null = null) => ({
  ...ZERO_USAGE,
  input_tokens: input,
  output_tokens: output,
  model: 'm',
  cost_usd: cost,
});
const totals = (input: number, output = 0, cost_micros: number | null = null): SessionTotals => ({
  input,
  output,
  cache_read: 0,
  cache_write: 0,
  cost_micros,
});
/** $1 per thousand tokens of any kind. */
const price: Pricer = (u) =>
  (u.input_tokens + u.output_tokens + u.cache_read_tokens + u.cache_write_tokens) / 1000;

describe('usageStep: what one report adds', () => {
  it('a per-event report adds itself, priced when the CLI gave no dollars', () => {
    expect(usageStep({ usage: tokens(500, 500), cumulative: false }, null, price)).toMatchObject({
      tokens: { input: 500, output: 500 },
      cost_micros: 1_000_000,
      cost_source: 'estimated',
      totals: null,
    });
    expect(usageStep({ usage: tokens(500, 0, 0.02), cumulative: false }, null, price)).toMatchObject({
      cost_micros: 20_000,
      cost_source: 'reported',
    });
    expect(usageStep({ usage: tokens(5), cumulative: false }, null)).toMatchObject({
      cost_micros: null,
      cost_source: 'unpriced',
    });
  });

  it('a cumulative report adds its difference from the session’s last totals, dollars included', () => {
    const step = usageStep({ usage: tokens(300, 30, 0.3), cumulative: true }, totals(100, 10, 100_000));
    expect(step).toMatchObject({
      tokens: { input: 200, output: 20, cache_read: 0, cache_write: 0 },
      cost_micros: 200_000,
      cost_source: 'reported',
      totals: totals(300, 30, 300_000),
      restarted: false,
    });
  });

  it('prices the difference when either end lacks the CLI’s dollars', () => {
    expect(usageStep({ usage: tokens(300, 0, 0.5), cumulative: true }, totals(100), price)).toMatchObject({
      cost_micros: 200_000,
      cost_source: 'estimated',
      totals: totals(300, 0, 500_000),
    });
    expect(usageStep({ usage: tokens(300), cumulative: true }, totals(100, 0, 1), price)).toMatchObject({
      cost_micros: 200_000,
      cost_source: 'estimated',
    });
  });

  it('totals that went down are a new process from zero: counted whole, never negative', () => {
    const step = usageStep({ usage: tokens(50, 500, 0.01), cumulative: true }, totals(100, 10, 90_000));
    expect(step).toMatchObject({ tokens: { input: 50, output: 500 }, cost_micros: 10_000, restarted: true });
    // A crash's all-zero result still resets the chain, so the next report is not short-counted.
    expect(usageStep({ usage: tokens(0), cumulative: true }, totals(100))).toMatchObject({
      tokens: { input: 0 },
      restarted: true,
    });
  });

  it('a repeat of the last totals, or an all-zero report, adds nothing', () => {
    expect(usageStep({ usage: tokens(100, 10, 0.1), cumulative: true }, totals(100, 10, 100_000))).toBeNull();
    expect(usageStep({ usage: tokens(0), cumulative: true }, null)).toBeNull();
    expect(usageStep({ usage: tokens(0), cumulative: false }, null, price)).toBeNull();
    // The same tokens but more dollars (a priced tool call): the dollars count.
    expect(
      usageStep({ usage: tokens(100, 10, 0.15), cumulative: true }, totals(100, 10, 100_000)),
    ).toMatchObject({ tokens: { input: 0 }, cost_micros: 50_000 });
  });

  it('a pricer that misbehaves leaves the usage unpriced rather than wrong', () => {
    for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY])
      expect(usageStep({ usage: tokens(5), cumulative: false }, null, () => bad)).toMatchObject({
        cost_micros: null,
        cost_source: 'unpriced',
      });
  });
});

describe('costs as shown', () => {
  it('sums exactly and sorts most expensive first', () => {
    const sum = (key: string, micros: number, estimated = 0) => ({
      key,
      tokens: { input: 1, output: 2, cache_read: 3, cache_write: 4 },
      cost_micros: micros,
      reports: 3,
      estimated,
      unpriced: 0,
    });
    const r = costsReport([sum('b', 100_000), sum('a', 100_000), sum('c', 1_000_000, 1)], 'bead');
    expect(r.total_usd).toBe(1.2);
    expect(r.estimated).toBe(true);
    expect(r.tokens).toEqual({ input: 3, output: 6, cache_read: 9, cache_write: 12 });
    expect(r.by.map((x) => [x.bead, x.total_usd, x.estimated])).toEqual([
      ['c', 1, true],
      ['a', 0.1, false],
      ['b', 0.1, false],
    ]);
  });

  it('formats dollars and tokens for people', () => {
    expect([formatUsd(0), formatUsd(1.234), formatUsd(0.0042), formatUsd(12)]).toEqual([
      '$0.00',
      '$1.23',
      '$0.0042',
      '$12.00',
    ]);
    expect(costText({ total_usd: 1.23, estimated: true, unpriced: false })).toBe('cost $1.23 (estimated)');
    expect(costText({ total_usd: 1, estimated: false, unpriced: 2 })).toBe(
      'cost $1.00 (some usage unpriced)',
    );
    expect([formatTokens(512), formatTokens(34_000), formatTokens(1_250_000)]).toEqual([
      '512',
      '34k',
      '1.3M',
    ]);
  });

  it('--since: ISO times and spans back from now, anything else refused with an example', () => {
    const now = new Date('2026-11-22T12:00:00.000Z');
    expect(parseSince('24h', now)).toBe('2026-11-21T12:00:00.000Z');
    expect(parseSince('7d', now)).toBe('2026-11-15T12:00:00.000Z');
    expect(parseSince('1h30m', now)).toBe('2026-11-22T10:30:00.000Z');
    expect(parseSince('2026-11-01', now)).toBe('2026-11-01T00:00:00.000Z');
    expect(parseSince('2026-11-22T10:00:00+01:00', now)).toBe('2026-11-22T09:00:00.000Z');
    for (const bad of ['', 'yesterday', '-1h', '0h', '12', '2026-13-45'])
      expect(() => parseSince(bad, now), bad).toThrow(/use an ISO time/);
  });

  it('token counts and dollars are checked strictly', () => {
    expect(parseTokenCount('0', 'input')).toBe(0);
    expect(parseTokenCount(' 42 ', 'input')).toBe(42);
    for (const bad of ['', '-1', '1.0', '1e3', '0x10', '99999999999999', 'NaN'])
      expect(() => parseTokenCount(bad, 'input'), bad).toThrow(/give a whole number/);
    expect(parseCostUsd('0.0123')).toBe(0.0123);
    for (const bad of ['', '-0.1', '1e-3', '$1', 'Infinity', '10000000'])
      expect(() => parseCostUsd(bad), bad).toThrow(/give the CLI's figure/);
  });
});

describe('the price table the service prices with', () => {
  it('reads the shipped config/prices.json and prices tokens the CLI gave no dollars for', () => {
    const table = loadPriceTable();
    if (!table) throw new Error('config/prices.json is missing');
    const price = pricerOf(table);
    const million = { ...ZERO_USAGE, input_tokens: 1_000_000, model: 'claude-sonnet-4-5-20250929' };
    expect(price(million)).toBe(3);
    // The CLI's own figure is not the table's business here: the pricer prices tokens only.
    expect(price({ ...million, cost_usd: 99 })).toBe(3);
    expect(price({ ...million, model: 'no-such-model' })).toBeNull();
    expect(price({ ...million, model: null })).toBeNull();
  });

  it('no file: nothing priced; a broken file: the start stops, saying what to fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gt-prices-'));
    try {
      expect(loadPriceTable(join(dir, 'absent.json'))).toBeNull();
      writeFileSync(join(dir, 'broken.json'), '{ "models": ');
      expect(() => loadPriceTable(join(dir, 'broken.json'))).toThrow(/is not JSON.*fix it/);
      writeFileSync(
        join(dir, 'bad.json'),
        JSON.stringify({ updated: '2026-12-05', models: { m: { input: -1 } } }),
      );
      expect(() => loadPriceTable(join(dir, 'bad.json'))).toThrow(/model "m"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
