import { rmSync } from 'node:fs';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Liveness } from '../../src/agent/liveness.ts';
import { withFakeAgents } from '../support/fake-agents/index.ts';
import { gitRepo, RunnerProcess, waitFor } from './runner-process.ts';
import { Town } from './town.ts';

type Bead = { id: string; status: string };
type Costs = { total_usd: number; estimated: boolean; tokens: Record<string, number>; by: unknown[] };

/**
 * A rig on the `claude` preset, run by a real rig runner whose PATH finds the fake Claude Code
 * first: the preset's own command line runs, the runner reads its stream-json as it comes and
 * reports the usage with `gt usage report`; the service books it per bead and rig.
 */
describe('usage read from a polecat’s output', () => {
  const town = new Town();
  const repo = gitRepo();
  const runners: RunnerProcess[] = [];
  let nc: NatsConnection;
  /** `gt usage report` requests as the runner sent them (seen on the wire, beside the service). */
  const reports: Array<Record<string, unknown>> = [];
  /** Process reports as published (`gt.hb.<rig>.<name>`). */
  const beats: Liveness[] = [];
  const subs: Subscription[] = [];

  beforeAll(async () => {
    await town.up();
    nc = await town.connectNats();
    subs.push(
      nc.subscribe('gt.as.runner.*.gt.usage.report', {
        callback: (_e, m) => {
          reports.push(m.json<{ args: Record<string, unknown> }>().args);
        },
      }),
      nc.subscribe('gt.hb.>', {
        callback: (_e, m) => {
          beats.push(m.json<Liveness>());
        },
      }),
    );
  }, 60_000);
  afterAll(async () => {
    for (const s of subs) s.unsubscribe();
    for (const r of runners) await r.stop();
    await nc.close();
    await town.destroy();
    rmSync(repo, { recursive: true, force: true });
  });

  const runRig = async (rig: string, prefix: string, env: Record<string, string>) => {
    await town.json('gt', [
      'rig',
      'add',
      rig,
      '--prefix',
      prefix,
      '--repo',
      repo,
      '--merge',
      'local',
      '--runtime',
      'claude',
      ...Object.keys(env).flatMap((name) => ['--env', name]),
    ]);
    runners.push(await RunnerProcess.start(town, rig, [], { ...env, PATH: withFakeAgents() }));
  };
  const sling = async (rig: string, title: string) => {
    const id = (await town.json<Bead>('bd', ['create', title, '--rig', rig])).id;
    await town.json('gt', ['sling', id]);
    return id;
  };

  it('books the result’s tokens and the CLI’s own dollars to each bead, and they add up per rig (T1)', async () => {
    await runRig('claudia', 'cl', { FAKE_SCENARIO: 'usage', FAKE_COST_USD: '0.4213', FAKE_THEN: 'gt done' });
    const first = await sling('claudia', 'first');
    const second = await sling('claudia', 'second');
    const costs = (args: string[]) => town.json<Costs>('gt', ['costs', ...args]);
    await waitFor(
      async () => (await costs(['--rig', 'claudia'])).total_usd >= 0.8426,
      30_000,
      () => JSON.stringify(reports),
    );
    for (const bead of [first, second]) {
      expect(reports).toContainEqual({
        bead,
        agent: expect.stringMatching(/^claudia\//),
        rig: 'claudia',
        input: '30',
        output: '2600',
        'cache-read': '95000',
        'cache-write': '9500',
        model: 'claude-sonnet-5',
        cost: '0.4213',
        session: expect.stringMatching(/^fake-/),
        cumulative: true,
      });
      expect(await costs(['--bead', bead])).toMatchObject({
        total_usd: 0.4213,
        estimated: false,
        tokens: { input: 30, output: 2600, cache_read: 95000, cache_write: 9500 },
      });
    }
    expect((await costs(['--rig', 'claudia'])).total_usd).toBe(0.8426);
    // `gt done` ran after the output: the work closed as usual.
    await waitFor(
      async () => (await town.json<Bead[]>('bd', ['show', first]))[0]?.status === 'closed',
      15_000,
    );
  }, 60_000);

  it('reports a usage limit and its reset time in the exit report, and books nothing (T5)', async () => {
    await runRig('limited', 'li', { FAKE_SCENARIO: 'limit', FAKE_RESETS_AT: '1893456000' });
    const bead = await sling('limited', 'walls');
    await waitFor(() => beats.some((b) => b.bead === bead && !b.alive), 30_000);
    const exit = beats.find((b) => b.bead === bead && !b.alive);
    expect(exit).toMatchObject({
      exit_code: 1,
      limit: {
        reset_at: '2030-01-01T00:00:00.000Z',
        message: "You've hit your session limit · resets 9am (Europe/Berlin)",
      },
    });
    expect(reports.filter((r) => r.bead === bead)).toEqual([]);
  }, 60_000);
});
