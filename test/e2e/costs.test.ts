import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from '../../src/bus/api-client.ts';
import type { CredentialsFile } from '../../src/bus/credentials.ts';
import { actorOf, inboxPrefixFor } from '../../src/bus/subjects.ts';
import type { CostsReport } from '../../src/domain/usage-costs.ts';
import { usageReportArgs } from '../../src/domain/usage-input.ts';
import { Town } from './town.ts';

/**
 * Costs end to end: a rig runner's NATS user reports usage (`gt usage report`, on its own API
 * subject, as the runner does for each usage event it parses), and people read it back with
 * `gt costs --json`, `gt convoy status --json` and /metrics — the sums exact, a resumed session
 * counted once, another rig's runner refused.
 */
describe('gt costs against a running town', () => {
  const town = new Town();
  const open: NatsConnection[] = [];
  const ids = { a1: '', a2: '', convoy: '' };

  /** Logs in as a rig's runner with the credentials `gt rig add` wrote. */
  const asRunner = async (rig: string): Promise<NatsConnection> => {
    const creds = JSON.parse(
      readFileSync(join(town.home, 'creds', `runner-${rig}.json`), 'utf8'),
    ) as CredentialsFile;
    const nc = await connect({
      servers: town.runtime().nats_url,
      user: creds.user,
      pass: creds.password,
      inboxPrefix: inboxPrefixFor('gt', { kind: 'runner', rig }),
    });
    open.push(nc);
    return nc;
  };
  /** What `runner`'s runner sends for a usage event of `rig`'s polecat on `bead`. */
  const report = (
    nc: NatsConnection,
    rig: string,
    bead: string,
    usage: object,
    session: string | null,
    runner = rig,
  ) =>
    callApi(nc, 'gt', {
      verb: 'gt usage report',
      args: usageReportArgs(
        {
          kind: 'usage',
          usage: {
            input_tokens: 0,
            output_tokens: 0,
            cache_read_tokens: 0,
            cache_write_tokens: 0,
            model: 'claude-sonnet-4-5',
            cost_usd: null,
            ...usage,
          },
          cumulative: session !== null,
          session,
        },
        { bead, agent: `${rig}/Toast`, rig },
      ),
      actor: actorOf({ kind: 'runner', rig: runner }),
    });

  beforeAll(async () => {
    await town.up();
    for (const rig of ['alpha', 'beta'])
      await town.json('gt', ['rig', 'add', rig, '--prefix', rig.slice(0, 2), '--max-polecats', '2']);
    ids.a1 = (await town.json<{ id: string }>('bd', ['create', 'a1', '--rig', 'alpha'])).id;
    ids.a2 = (await town.json<{ id: string }>('bd', ['create', 'a2', '--rig', 'alpha'])).id;
    ids.convoy = (await town.json<{ id: string }>('gt', ['convoy', 'create', 'Ship it', ids.a1, ids.a2])).id;
  }, 60_000);
  afterAll(async () => {
    await Promise.all(open.map((nc) => nc.close()));
    await town.destroy();
  });

  it('adds up what the runner reported, per convoy, bead and agent; a resumed session counts once', async () => {
    const alpha = await asRunner('alpha');
    // Four polecat runs of $0.30 each on a1 (one event per run).
    for (let i = 0; i < 4; i++)
      expect(await report(alpha, 'alpha', ids.a1, { input_tokens: 1000, cost_usd: 0.3 }, null)).toMatchObject(
        {
          ok: true,
          data: { recorded: true },
        },
      );
    // a2: a session's running totals, resumed after a respawn (its first line repeats the totals).
    for (const [input, cost] of [
      [100, 0.1],
      [300, 0.25],
      [300, 0.25],
      [500, 0.4],
    ] as const)
      expect(
        await report(alpha, 'alpha', ids.a2, { input_tokens: input, cost_usd: cost }, 'sess-a2'),
      ).toMatchObject({ ok: true });

    const convoy = await town.json<CostsReport>('gt', ['costs', '--convoy', ids.convoy]);
    expect(convoy).toMatchObject({
      total_usd: 1.6,
      estimated: false,
      tokens: { input: 4500, output: 0, cache_read: 0, cache_write: 0 },
    });
    expect(convoy.by.map((r) => [r.bead, r.total_usd, r.tokens.input])).toEqual([
      [ids.a1, 1.2, 4000],
      [ids.a2, 0.4, 500],
    ]);
    expect((await town.json<CostsReport>('gt', ['costs', '--bead', ids.a2])).total_usd).toBe(0.4);
    expect((await town.json<CostsReport>('gt', ['costs', '--since', '1h'])).total_usd).toBe(1.6);
    expect((await town.json<CostsReport>('gt', ['costs'])).by).toEqual([
      expect.objectContaining({ rig: 'alpha', total_usd: 1.6 }),
    ]);
    const status = await town.json<{ cost: unknown }>('gt', ['convoy', 'status', ids.convoy]);
    expect(status.cost).toEqual({ total_usd: 1.6, estimated: false, unpriced: false });
    const text = await town.run('gt', ['convoy', 'status', ids.convoy]);
    expect(text.stdout).toContain('cost $1.60');
    const metrics = await (await fetch(`${town.runtime().http_url}/metrics`)).text();
    expect(metrics).toContain('gt_agent_cost_usd_total{rig="alpha"} 1.6');
    expect(metrics).toContain('gt_agent_tokens_total{rig="alpha",kind="input"} 4500');
  });

  it('refuses another rig’s runner, and bad input, with a clear error; nothing is recorded', async () => {
    const before = await town.json<CostsReport>('gt', ['costs']);
    const beta = await asRunner('beta');
    expect(await report(beta, 'alpha', ids.a1, { input_tokens: 5 }, null, 'beta')).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const alpha = await asRunner('alpha');
    const bad = await callApi(alpha, 'gt', {
      verb: 'gt usage report',
      args: {
        bead: ids.a1,
        agent: 'alpha/Toast',
        rig: 'alpha',
        input: 'lots',
        output: '0',
        'cache-read': '0',
        'cache-write': '0',
      },
      actor: actorOf({ kind: 'runner', rig: 'alpha' }),
    });
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'bad_tokens', message: expect.stringMatching(/give/) },
    });
    expect(await town.json<CostsReport>('gt', ['costs'])).toEqual(before);
    const cli = await town.run('gt', ['costs', '--since', 'yesterday']);
    expect([cli.code, cli.stderr]).toEqual([2, expect.stringMatching(/^error: .*use an ISO time/)]);
  });

  it('prices a report without dollars from config/prices.json, marked estimated', async () => {
    const a3 = (await town.json<{ id: string }>('bd', ['create', 'a3', '--rig', 'alpha'])).id;
    const alpha = await asRunner('alpha');
    // claude-sonnet-4-5 lists at $3 per million input tokens and $15 per million output.
    const reply = await report(alpha, 'alpha', a3, { input_tokens: 1_000_000, output_tokens: 100_000 }, null);
    expect(reply).toMatchObject({ ok: true, data: { record: { cost_usd: 4.5, estimated: true } } });
    expect(await town.json<CostsReport>('gt', ['costs', '--bead', a3])).toMatchObject({
      total_usd: 4.5,
      estimated: true,
      by: [{ agent: 'alpha/Toast', total_usd: 4.5, estimated: true }],
    });
    const text = await town.run('gt', ['costs', '--bead', a3]);
    expect(text.stdout).toMatch(/^cost \$4\.50 \(estimated\)/);
  });
});
