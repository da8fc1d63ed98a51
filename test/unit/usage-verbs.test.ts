import { describe, expect, it } from 'vitest';
import { ServiceMetrics } from '../../src/app/metrics.ts';
import { convoyMessage } from '../../src/chat/discord/convoy-message.ts';
import { convoyBlocks } from '../../src/chat/slack/convoy-card.ts';
import { CATALOG } from '../../src/commands/catalog.ts';
import { CommandRegistry } from '../../src/commands/registry.ts';
import type { Actor } from '../../src/domain/actor.ts';
import type { ConvoyCardModel } from '../../src/domain/convoy-progress.ts';
import type { UsageRecord } from '../../src/domain/usage.ts';
import type { CostsReport } from '../../src/domain/usage-costs.ts';
import { usageReportArgs } from '../../src/domain/usage-input.ts';
import { useCommands } from './command-harness.ts';

const runnerOf = (rig: string): Actor => ({ kind: 'system', id: `runner:${rig}` });
const HINT = /\b(use|see|give|run|not found|check)\b/;

/** `gt usage report` (what runners send) and `gt costs`, `gt convoy status`, the cards (what people see). */
describe('usage and costs through the command layer', () => {
  const ids = { a1: '', a2: '', b1: '', convoy: '' };
  const h = useCommands(async (h) => {
    for (const name of ['alpha', 'beta']) await h.ok('gt rig add', { name, prefix: name.slice(0, 2) });
    ids.a1 = (await h.ok('bd create', { title: 'a1', rig: 'alpha' })).id;
    ids.a2 = (await h.ok('bd create', { title: 'a2', rig: 'alpha' })).id;
    ids.b1 = (await h.ok('bd create', { title: 'b1', rig: 'beta' })).id;
    ids.convoy = (await h.ok('gt convoy create', { words: ['Ship it', ids.a1, ids.a2, ids.b1] })).id;
  });
  const { run, ok } = h;
  /** A report of `tokens` input and a tenth as much output, as alpha's runner sends it. */
  const args = (extra: Record<string, unknown> = {}) => {
    const all: Record<string, unknown> = {
      bead: ids.a1,
      agent: 'alpha/Toast',
      rig: 'alpha',
      input: '100',
      output: '10',
      'cache-read': '0',
      'cache-write': '0',
      ...extra,
    };
    // `undefined`: the argument left out.
    return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
  };
  const report = (extra: Record<string, unknown> = {}, actor: Actor = runnerOf('alpha')) =>
    run('gt usage report', args(extra), actor);
  const costs = (filter: Record<string, string> = {}) => ok<CostsReport>('gt costs', filter);

  it('a runner reports its own rig’s usage: recorded with the bead’s convoy, audited', async () => {
    const reply = await report({ cost: '0.05', model: 'claude-sonnet-4-5' });
    expect(reply).toMatchObject({
      ok: true,
      data: {
        recorded: true,
        record: {
          bead: ids.a1,
          convoy: ids.convoy,
          rig: 'alpha',
          agent: 'alpha/Toast',
          model: 'claude-sonnet-4-5',
          tokens: { input: 100, output: 10, cache_read: 0, cache_write: 0 },
          cost_usd: 0.05,
          estimated: false,
          reported_by: 'runner:alpha',
        },
      },
    });
    const [audit] = await h.ledger.listAudit(1);
    expect(audit).toMatchObject({ verb: 'gt usage report', actor: 'runner:alpha', outcome: 'ok' });
  });

  it('refuses a runner of another rig, an agent and the service’s jobs, recording nothing', async () => {
    const forbidden = { ok: false, error: { code: 'forbidden' } };
    expect(await report({}, runnerOf('beta'))).toMatchObject(forbidden);
    // Naming its own rig does not help: the bead and the polecat are alpha's.
    expect(await report({ rig: 'beta' }, runnerOf('beta'))).toMatchObject(forbidden);
    expect(await report({ agent: 'beta/Toast' }, runnerOf('beta'))).toMatchObject(forbidden);
    const agent = await report({}, { kind: 'agent', id: 'alpha/Toast' });
    expect(agent).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/agents may not run/) },
    });
    expect(await report({}, { kind: 'system', id: 'witness' })).toMatchObject(forbidden);
    expect(await h.ledger.usageTotals({}, null)).toEqual([]);
    expect((await h.ledger.listAudit(5)).filter((a) => a.outcome === 'refused')).toHaveLength(5);
  });

  it('refuses bad input with what to do, recording nothing', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ bead: undefined }, 'missing_argument'],
      [{ 'cache-write': undefined }, 'missing_argument'],
      [{ input: '-5' }, 'bad_tokens'],
      [{ output: '1.5' }, 'bad_tokens'],
      [{ input: '1e3' }, 'bad_tokens'],
      [{ cost: 'free' }, 'bad_cost'],
      [{ cost: '-0.1' }, 'bad_cost'],
      [{ model: '' }, 'bad_text'],
      [{ session: 'x'.repeat(201) }, 'bad_text'],
      [{ cumulative: true }, 'missing_session'],
      [{ agent: 'nobody' }, 'invalid_agent'],
      [{ rig: 'Alpha!' }, 'invalid_rig_name'],
      [{ bead: 'al-zzzz' }, 'not_found'],
    ];
    for (const [extra, code] of cases) {
      const reply = await report(extra);
      expect(reply, JSON.stringify(extra)).toMatchObject({ ok: false, error: { code } });
      if (!reply.ok) expect(reply.error.message).toMatch(HINT);
    }
    // As an admin (a person backfilling), the bead, polecat and rig must still agree.
    const person: Record<string, unknown>[] = [
      { bead: ids.b1 },
      { agent: 'beta/Toast' },
      { bead: ids.convoy, rig: 'alpha' },
    ];
    for (const extra of person) {
      const reply = await run('gt usage report', args(extra));
      expect(reply, JSON.stringify(extra)).toMatchObject({ ok: false, error: { kind: 'refused' } });
      if (!reply.ok) expect(reply.error.message).toMatch(HINT);
    }
    expect(await h.ledger.usageTotals({}, null)).toEqual([]);
  });

  it('counts a resumed session once: running totals become differences, exact to the cent', async () => {
    const session = { session: 'sess-1', cumulative: true };
    await report({ ...session, input: '100', output: '10', cost: '0.1' });
    await report({ ...session, input: '250', output: '40', cost: '0.3' });
    // The runner's retry of the same line: nothing new.
    expect(await report({ ...session, input: '250', output: '40', cost: '0.3' })).toMatchObject({
      ok: true,
      data: { recorded: false, record: null },
    });
    // Respawned into another polecat that resumed the session: its totals include the earlier turns.
    await report({ ...session, agent: 'alpha/Nux', input: '400', output: '50', cost: '0.7' });
    const bead = await costs({ bead: ids.a1 });
    expect(bead).toMatchObject({
      total_usd: 0.7,
      estimated: false,
      tokens: { input: 400, output: 50, cache_read: 0, cache_write: 0 },
      group: 'agent',
    });
    // Most expensive first.
    expect(bead.by).toEqual([
      expect.objectContaining({
        agent: 'alpha/Nux',
        total_usd: 0.4,
        tokens: expect.objectContaining({ input: 150 }),
      }),
      expect.objectContaining({
        agent: 'alpha/Toast',
        total_usd: 0.3,
        tokens: expect.objectContaining({ input: 250 }),
      }),
    ]);
  });

  it('gt costs sums exactly per convoy, rig, bead and agent', async () => {
    for (let i = 0; i < 4; i++) await report({ cost: '0.3' });
    await report({ bead: ids.a2, agent: 'alpha/Nux', cost: '0.1' });
    await report({ bead: ids.b1, agent: 'beta/Toast', rig: 'beta', cost: '0.25' }, runnerOf('beta'));
    const town = await costs();
    expect(town).toMatchObject({ total_usd: 1.55, estimated: false, group: 'rig', unpriced: 0 });
    expect(town.tokens).toEqual({ input: 600, output: 60, cache_read: 0, cache_write: 0 });
    expect(town.by.map((r) => [r.rig, r.total_usd])).toEqual([
      ['alpha', 1.3],
      ['beta', 0.25],
    ]);
    const convoy = await costs({ convoy: ids.convoy });
    expect(convoy).toMatchObject({ total_usd: 1.55, group: 'bead' });
    expect(convoy.by.map((r) => [r.bead, r.total_usd])).toEqual([
      [ids.a1, 1.2],
      [ids.b1, 0.25],
      [ids.a2, 0.1],
    ]);
    expect((await costs({ rig: 'alpha' })).total_usd).toBe(1.3);
    expect((await costs({ rig: 'beta' })).by).toEqual([
      { bead: ids.b1, total_usd: 0.25, estimated: false, unpriced: 0, tokens: expect.any(Object) },
    ]);
    const nux = await costs({ agent: 'alpha/Nux' });
    expect([nux.total_usd, nux.by.map((r) => r.bead)]).toEqual([0.1, [ids.a2]]);
    const text = await run('gt costs', { convoy: ids.convoy });
    expect(
      CATALOG.find((d) => d.path.join(' ') === 'gt costs')?.text((text as { data: CostsReport }).data),
    ).toMatch(/^cost \$1\.55 {2}· {2}600 in, 60 out, 0 cache read, 0 cache write\nby bead:\n {2}al-/);
  });

  it('gt costs --since takes an ISO time or a span back from now', async () => {
    await report({ cost: '1' });
    h.advance(3 * 3_600_000);
    const between = h.now().toISOString();
    h.advance(3_600_000);
    await report({ cost: '0.5' });
    expect((await costs({ since: '2h' })).total_usd).toBe(0.5);
    expect((await costs({ since: '1d' })).total_usd).toBe(1.5);
    expect((await costs({ since: between })).total_usd).toBe(0.5);
    expect((await costs({ since: '2099-01-01' })).by).toEqual([]);
    expect(await run('gt costs', { since: 'yesterday' })).toMatchObject({
      ok: false,
      error: { code: 'bad_since', message: expect.stringMatching(/use an ISO time/) },
    });
  });

  it('gt costs takes one filter, and refuses names that do not exist', async () => {
    expect(await run('gt costs', { rig: 'alpha', bead: ids.a1 })).toMatchObject({
      ok: false,
      error: { kind: 'usage', message: expect.stringMatching(/give one of/) },
    });
    for (const filter of [{ rig: 'gamma' }, { convoy: 'hq-cv-zzz' }, { bead: 'al-zzzz' }]) {
      const reply = await run('gt costs', filter);
      expect(reply, JSON.stringify(filter)).toMatchObject({
        ok: false,
        error: { code: expect.stringMatching(/not_found/) },
      });
      if (!reply.ok) expect(reply.error.message).toMatch(HINT);
    }
    expect(await run('gt costs', { convoy: ids.a1 })).toMatchObject({ ok: false });
    expect(await costs()).toEqual({
      total_usd: 0,
      estimated: false,
      tokens: { input: 0, output: 0, cache_read: 0, cache_write: 0 },
      unpriced: 0,
      group: 'rig',
      by: [],
    });
    // Agents may look (reads are town-wide); runners have no need to.
    expect(await run('gt costs', {}, { kind: 'agent', id: 'alpha/Toast' })).toMatchObject({ ok: true });
    expect(await run('gt costs', {}, runnerOf('alpha'))).toMatchObject({ ok: false });
  });

  it('prices what the CLI gave no dollars for from the table (estimated), and tells the metrics', async () => {
    const seen: UsageRecord[] = [];
    const metrics = new ServiceMetrics();
    const registry = new CommandRegistry(
      {
        ledger: h.ledger,
        now: h.now,
        // $2 per million input tokens, $10 per million output; no price for other models.
        price: (u) => (u.model === 'm1' ? (u.input_tokens * 2 + u.output_tokens * 10) / 1e6 : null),
        onUsage: (r) => {
          seen.push(r);
          metrics.observeUsage(r);
        },
      },
      CATALOG,
      (err) => {
        throw err;
      },
    );
    const send = (extra: Record<string, unknown>) =>
      registry.execute({
        verb: 'gt usage report',
        args: args(extra),
        actor: runnerOf('alpha'),
        source: 'system',
      });
    await send({ model: 'm1', input: '500000', output: '100000', 'cache-read': '7' });
    await send({ model: 'm1', cost: '0.25' });
    await send({ model: 'unknown' });
    expect(seen.map((r) => [r.cost_usd, r.estimated])).toEqual([
      [2, true],
      [0.25, false],
      [null, false],
    ]);
    expect(await costs({ bead: ids.a1 })).toMatchObject({ total_usd: 2.25, estimated: true, unpriced: 1 });
    const text = await metrics.registry.metrics();
    expect(text).toContain('gt_agent_cost_usd_total{rig="alpha"} 2.25');
    expect(text).toContain('gt_agent_tokens_total{rig="alpha",kind="input"} 500200');
    expect(text).toContain('gt_agent_tokens_total{rig="alpha",kind="cache_read"} 7');
  });

  it('shows the cost in gt convoy status, gt convoy progress and on both cards', async () => {
    type Status = { cost: unknown };
    expect((await ok<Status>('gt convoy status', { convoy: ids.convoy })).cost).toBeNull();
    expect(
      (await ok<ConvoyCardModel[]>('gt convoy progress', { convoys: [ids.convoy] }))[0]?.cost,
    ).toBeNull();
    for (let i = 0; i < 4; i++) await report({ cost: '0.3' });
    const status = await ok<Status>('gt convoy status', { convoy: ids.convoy });
    expect(status.cost).toEqual({ total_usd: 1.2, estimated: false, unpriced: false });
    const [listed] = await ok<Status[]>('gt convoy status');
    expect(listed?.cost).toEqual(status.cost);
    const statusDef = CATALOG.find((d) => d.path.join(' ') === 'gt convoy status');
    expect(statusDef?.text(status)).toContain('\n   cost $1.20\n');
    const [card] = await ok<ConvoyCardModel[]>('gt convoy progress', { convoys: [ids.convoy] });
    if (!card) throw new Error('no card');
    const estimated = { ...card, cost: { total_usd: 1.2, estimated: true, unpriced: false } };
    expect(JSON.stringify(convoyBlocks(estimated))).toContain('cost $1.20 (estimated)');
    expect(convoyMessage(estimated)).toMatchObject({
      embeds: [{ description: expect.stringContaining('cost $1.20 (estimated)') }],
    });
    expect(JSON.stringify(convoyBlocks({ ...card, cost: null }))).not.toContain('cost $');
  });

  it('takes exactly what a runner builds from a parsed usage event', async () => {
    const event = {
      kind: 'usage' as const,
      usage: {
        input_tokens: 1234,
        output_tokens: 56,
        cache_read_tokens: 7890,
        cache_write_tokens: 12,
        model: 'claude-opus-4-1',
        // Under a micro-dollar: sent in fixed point (String() would say 1e-7), kept to the micro-dollar.
        cost_usd: 0.0000009,
      },
      cumulative: true,
      session: 'abc-123',
    };
    const sent = usageReportArgs(event, { bead: ids.a1, agent: 'alpha/Toast', rig: 'alpha' });
    expect(sent.cost).toBe('0.0000009');
    expect(await run('gt usage report', sent, runnerOf('alpha'))).toMatchObject({
      ok: true,
      data: {
        record: {
          tokens: { input: 1234, output: 56, cache_read: 7890, cache_write: 12 },
          model: 'claude-opus-4-1',
          cost_usd: 0.000001,
          session: 'abc-123',
        },
      },
    });
  });
});
