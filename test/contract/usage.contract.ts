import { describe, expect, it } from 'vitest';
import type { Usage } from '../../src/domain/agent-output.ts';
import type { Pricer, UsageReport } from '../../src/domain/usage.ts';
import type { UsageSum } from '../../src/domain/usage-filter.ts';
import type { ContractState } from './ledger.contract.ts';

const usage = (input: number, output: number, extra: Partial<Usage> = {}): Usage => ({
  input_tokens: input,
  output_tokens: output,
  cache_read_tokens: 0,
  cache_write_tokens: 0,
  model: 'claude-sonnet-4-5',
  cost_usd: null,
  ...extra,
});

const report = (u: Usage, extra: Partial<UsageReport> = {}): UsageReport => ({
  bead: 'al-1',
  convoy: 'hq-cv-1',
  rig: 'alpha',
  agent: 'alpha/Toast',
  usage: u,
  cumulative: false,
  session: null,
  ...extra,
});

/** $1 per million input tokens, $10 per million output; models not named `claude-*` have no price. */
const price: Pricer = (u) =>
  u.model?.startsWith('claude-') ? (u.input_tokens * 1 + u.output_tokens * 10) / 1_000_000 : null;

const byKey = (sums: UsageSum[]) => Object.fromEntries(sums.map((s) => [s.key ?? '(none)', s]));

/** Usage records (`recordUsage`, `usageTotals`): differences of cumulative reports, exact sums, filters. */
export function registerUsageContract(s: ContractState): void {
  describe('usage records', () => registerCases(s));
}

function registerCases(s: ContractState): void {
  it('stores a report with its bead, convoy, rig, agent, model, tokens and reported dollars', async () => {
    const ctx = s.ctx('runner:alpha');
    const record = await s.ledger.recordUsage(
      report(usage(1200, 300, { cache_read_tokens: 5000, cache_write_tokens: 700, cost_usd: 0.0123 })),
      ctx,
      price,
    );
    expect(record).toEqual({
      id: expect.any(String),
      at: ctx.now.toISOString(),
      bead: 'al-1',
      convoy: 'hq-cv-1',
      rig: 'alpha',
      agent: 'alpha/Toast',
      session: null,
      model: 'claude-sonnet-4-5',
      tokens: { input: 1200, output: 300, cache_read: 5000, cache_write: 700 },
      cost_usd: 0.0123,
      estimated: false,
      reported_by: 'runner:alpha',
    });
    expect(await s.ledger.usageTotals({}, null)).toEqual([
      {
        key: null,
        tokens: { input: 1200, output: 300, cache_read: 5000, cache_write: 700 },
        cost_micros: 12_300,
        reports: 1,
        estimated: 0,
        unpriced: 0,
      },
    ]);
  });

  it('prices what the CLI gave no dollars for (estimated), and leaves an unknown model unpriced', async () => {
    const est = await s.ledger.recordUsage(report(usage(1_000_000, 100_000)), s.ctx(), price);
    expect(est).toMatchObject({ cost_usd: 2, estimated: true });
    const none = await s.ledger.recordUsage(report(usage(10, 10, { model: 'mystery' })), s.ctx(), price);
    expect(none).toMatchObject({ cost_usd: null, estimated: false });
    const noTable = await s.ledger.recordUsage(report(usage(10, 10)), s.ctx());
    expect(noTable).toMatchObject({ cost_usd: null, estimated: false });
    const [sum] = await s.ledger.usageTotals({ bead: 'al-1' }, null);
    expect(sum).toMatchObject({ cost_micros: 2_000_000, reports: 3, estimated: 1, unpriced: 2 });
  });

  it('counts a resumed session once: cumulative reports store differences, repeats add nothing', async () => {
    const session = { cumulative: true, session: 'sess-1' };
    const first = await s.ledger.recordUsage(
      report(usage(100, 10, { cost_usd: 0.1 }), session),
      s.ctx(),
      price,
    );
    expect(first).toMatchObject({ tokens: { input: 100, output: 10 }, cost_usd: 0.1, session: 'sess-1' });
    const second = await s.ledger.recordUsage(
      report(usage(250, 40, { cost_usd: 0.3 }), session),
      s.ctx(),
      price,
    );
    expect(second).toMatchObject({ tokens: { input: 150, output: 30 }, cost_usd: 0.2, estimated: false });
    // The same totals again (a retried report, a resumed process's first line): nothing new.
    expect(
      await s.ledger.recordUsage(report(usage(250, 40, { cost_usd: 0.3 }), session), s.ctx()),
    ).toBeNull();
    // Resumed by another polecat of the bead: still the same session.
    const resumed = await s.ledger.recordUsage(
      report(usage(400, 50, { cost_usd: 0.7 }), { ...session, agent: 'alpha/Nux' }),
      s.ctx(),
    );
    expect(resumed).toMatchObject({ tokens: { input: 150, output: 10 }, cost_usd: 0.4, agent: 'alpha/Nux' });
    const [sum] = await s.ledger.usageTotals({ bead: 'al-1' }, null);
    expect(sum).toMatchObject({ tokens: { input: 400, output: 50 }, cost_micros: 700_000, reports: 3 });
    // Another session of the bead, and the same session id on another bead, are chains of their own.
    await s.ledger.recordUsage(report(usage(5, 5), { cumulative: true, session: 'sess-2' }), s.ctx());
    await s.ledger.recordUsage(report(usage(7, 7), { ...session, bead: 'al-2' }), s.ctx());
    expect(byKey(await s.ledger.usageTotals({}, 'bead'))).toMatchObject({
      'al-1': { tokens: { input: 405, output: 55 } },
      'al-2': { tokens: { input: 7, output: 7 } },
    });
  });

  it('a session whose totals went down started again: counted from zero, never negative', async () => {
    const session = { cumulative: true, session: 's' };
    await s.ledger.recordUsage(report(usage(1000, 100), session), s.ctx(), price);
    const restarted = await s.ledger.recordUsage(report(usage(200, 20), session), s.ctx(), price);
    expect(restarted).toMatchObject({ tokens: { input: 200, output: 20 } });
    const after = await s.ledger.recordUsage(report(usage(1500, 150), session), s.ctx(), price);
    expect(after).toMatchObject({ tokens: { input: 1300, output: 130 } });
    const [sum] = await s.ledger.usageTotals({}, null);
    expect(sum?.tokens).toEqual({ input: 2500, output: 250, cache_read: 0, cache_write: 0 });
    expect(sum?.cost_micros).toBe(2500 + 2500);
  });

  it('two racing reports of one session never both count from the same totals', async () => {
    const session = { cumulative: true, session: 'race' };
    const other = await s.fx.reopen();
    await s.ledger.recordUsage(report(usage(100, 0), session), s.ctx());
    // Eight reports of the same new totals at once, through two ledgers: one adds, the rest are repeats.
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? other : s.ledger).recordUsage(report(usage(300, 0), session), s.ctx()),
      ),
    );
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    const [sum] = await s.ledger.usageTotals({}, null);
    expect(sum).toMatchObject({ tokens: { input: 300 }, reports: 2 });
  });

  it('adds nothing for an all-zero report', async () => {
    expect(await s.ledger.recordUsage(report(usage(0, 0)), s.ctx(), price)).toBeNull();
    expect(
      await s.ledger.recordUsage(report(usage(0, 0), { cumulative: true, session: 'z' }), s.ctx(), price),
    ).toBeNull();
    expect(await s.ledger.usageTotals({}, null)).toEqual([]);
  });

  it('sums exactly per bead, convoy, rig, agent and model, filtered by any of them and by time', async () => {
    const spend = (extra: Partial<UsageReport>, cost: number) =>
      s.ledger.recordUsage(report(usage(10, 1, { cost_usd: cost }), extra), s.ctx());
    for (let i = 0; i < 4; i++) await spend({}, 0.3);
    await spend({ bead: 'al-2', agent: 'alpha/Nux' }, 0.1);
    await spend({ bead: 'be-1', rig: 'beta', agent: 'beta/Toast', convoy: 'hq-cv-2' }, 0.2);
    await spend({ bead: 'al-3', convoy: null, usage: usage(1, 1, { model: 'gpt-5', cost_usd: 0.05 }) }, 0);
    const sums = async (by: Parameters<typeof s.ledger.usageTotals>[1], filter = {}) =>
      Object.fromEntries(
        (await s.ledger.usageTotals(filter, by)).map((x) => [x.key ?? '(none)', [x.cost_micros, x.reports]]),
      );
    expect(await sums('convoy')).toEqual({
      'hq-cv-1': [1_300_000, 5],
      'hq-cv-2': [200_000, 1],
      '(none)': [50_000, 1],
    });
    expect(await sums('rig')).toEqual({ alpha: [1_350_000, 6], beta: [200_000, 1] });
    expect(await sums('agent', { rig: 'alpha' })).toEqual({
      'alpha/Toast': [1_250_000, 5],
      'alpha/Nux': [100_000, 1],
    });
    expect(await sums('bead', { convoy: 'hq-cv-1' })).toEqual({
      'al-1': [1_200_000, 4],
      'al-2': [100_000, 1],
    });
    expect(await sums('model', { agent: 'alpha/Toast' })).toEqual({
      'claude-sonnet-4-5': [1_200_000, 4],
      'gpt-5': [50_000, 1],
    });
    expect(await sums(null, { bead: 'nothing' })).toEqual({});
    // `since` keeps the records at or after it (the clock moves 1 ms per write).
    const later = s.ctx();
    await spend({}, 1);
    expect(await sums(null, { since: later.now.toISOString() })).toEqual({ '(none)': [1_000_000, 1] });
  });
}
