import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MayorRunner } from '../../src/agent/mayor-runner.ts';
import type { Actor } from '../../src/domain/actor.ts';
import type { Bead } from '../../src/domain/bead.ts';
import { planFacts, roundChange } from '../../src/domain/plan.ts';
import { waitFor } from '../e2e/runner-process.ts';
import { useCommands } from './command-harness.ts';

const alice: Actor = { kind: 'human', id: 'alice' };
const quiet = { info: () => undefined, warn: () => undefined };

/**
 * The Mayor runner over a real SQLite ledger with real child processes: which plan it takes,
 * what the Mayor's process is given, and how a round that never reaches `gt done` ends.
 */
describe('the Mayor runner', () => {
  const h = useCommands(async (h) => {
    await h.ok('gt rig add', { name: 'web', prefix: 'web', command: 'true' });
  });
  const runners: MayorRunner[] = [];
  const homes: string[] = [];
  afterEach(async () => {
    for (const r of runners.splice(0)) await r.stop();
    for (const d of homes.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  let clock = Date.parse('2026-12-05T12:00:00Z');
  const start = (leading = () => true) => {
    const home = mkdtempSync(join(tmpdir(), 'gt-mayor-runner-'));
    homes.push(home);
    const runner = new MayorRunner({
      ledger: h.ledger,
      execute: (verb, args) =>
        h.registry.execute({ verb, args, actor: { kind: 'system', id: 'mayor-runner' }, source: 'system' }),
      home,
      natsUrl: 'nats://127.0.0.1:1',
      prefix: 'gt',
      binDir: join(home, 'bin'),
      login: { user: 'agent:mayor/', password: 'mayor-secret' },
      leading,
      log: quiet,
      now: () => new Date(clock),
      pollMs: 50,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        SLACK_BOT_TOKEN: 'xoxb-secret',
        ANTHROPIC_API_KEY: 'sk-mine',
      },
    });
    runner.start();
    runners.push(runner);
    return { runner, home };
  };
  const ask = async (goal: string) =>
    ((await h.run('gt plan', { goal: [goal] }, alice)) as { ok: true; data: { plan: string } }).data.plan;
  const plan = async (id: string) => (await h.ledger.getBead(id)) as Bead;
  const state = async (id: string) => planFacts(await plan(id)).state;

  it('takes the oldest queued plan, one at a time, and gives the Mayor its identity and nothing else', async () => {
    const seen = join(mkdtempSync(join(tmpdir(), 'gt-seen-')), 'env');
    homes.push(seen);
    await h.ok('gt mayor config', {
      command: `env > ${seen}.$GT_BEAD; sleep 30`,
      env: ['ANTHROPIC_API_KEY'],
    });
    const first = await ask('first goal');
    const second = await ask('second goal');
    const { home } = start();
    await waitFor(
      async () => (await state(first)) === 'planning',
      10_000,
      () => 'first never planned',
    );
    await waitFor(
      async () => existsSync(`${seen}.${first}`),
      10_000,
      () => 'the Mayor never started',
    );
    expect(await state(second)).toBe('queued');
    const env = readFileSync(`${seen}.${first}`, 'utf8');
    for (const line of [
      'GT_AGENT=mayor/',
      `GT_BEAD=${first}`,
      'GT_NATS_USER=agent:mayor/',
      'ANTHROPIC_API_KEY=sk-mine',
    ])
      expect(env).toContain(line);
    expect(env).not.toContain('xoxb-secret');
    const prompt = readFileSync(join(home, 'prompts', 'mayor', `${first}-r1.md`), 'utf8');
    expect(prompt).toContain('first goal');
    expect(prompt).toContain('**web** (bead prefix `web`)');
    expect(prompt).not.toContain('{{');
  });

  it('a round over its time is stopped and ends failed, saying so; the next plan is taken', async () => {
    await h.ok('gt mayor config', { command: 'sleep 30', timeout: '60' });
    const slow = await ask('slow goal');
    const next = await ask('next goal');
    start();
    await waitFor(
      async () => (await state(slow)) === 'planning',
      10_000,
      () => 'never planned',
    );
    clock += 61_000;
    await waitFor(
      async () => (await state(slow)) === 'failed',
      15_000,
      () => 'never stopped',
    );
    expect((await plan(slow)).close_reason).toMatch(/^Failed: the Mayor ran out of time \(60 s\); its log: /);
    await waitFor(
      async () => (await state(next)) === 'planning',
      10_000,
      () => 'the next plan was not taken',
    );
  });

  it('a plan discarded while the Mayor works stops its process; a replica that does not lead runs nothing', async () => {
    await h.ok('gt mayor config', { command: 'sleep 30' });
    let leads = false;
    let asked = 0;
    start(() => {
      asked++;
      return leads;
    });
    const id = await ask('some goal');
    const from = asked;
    await waitFor(
      async () => asked >= from + 3,
      10_000,
      () => 'the runner never looked',
    );
    expect(await state(id)).toBe('queued');
    leads = true;
    await waitFor(
      async () => (await state(id)) === 'planning',
      10_000,
      () => 'never planned',
    );
    await h.ok('gt plan discard', { id, reason: 'changed my mind' });
    expect(await state(id)).toBe('discarded');
    const other = await ask('another');
    await waitFor(
      async () => (await state(other)) === 'planning',
      10_000,
      () => 'the discarded round kept the Mayor busy',
    );
  });

  it('a round a restart cut short (on the Mayor’s hook, no process) starts over, its leftovers closed', async () => {
    await h.ok('gt mayor config', { command: 'sleep 30' });
    const id = await ask('interrupted');
    // What a runner that died mid-round leaves: the plan on the Mayor's hook, a bead it made.
    const p = await plan(id);
    const since = new Date(clock).toISOString();
    await h.ledger.claimBead(
      id,
      {
        expect: { status: p.status, assignee: p.assignee, version: p.version },
        set: { status: 'hooked', assignee: 'mayor/', ...roundChange(p.labels, 1, since) },
      },
      { actor: 'mayor-runner', now: new Date(clock) },
    );
    const half = await h.ledger.createBead(
      { title: 'half', rig: 'web' },
      { actor: 'mayor/', now: new Date(clock + 1) },
    );
    start();
    await waitFor(
      async () => planFacts(await plan(id)).round === 2,
      10_000,
      () => 'the round never started over',
    );
    expect(await h.ledger.getBead(half.id)).toMatchObject({
      status: 'closed',
      close_reason: expect.stringMatching(/round 1 interrupted: the service restarted during the round/),
    });
    expect(await state(id)).toBe('planning');
  });
});
