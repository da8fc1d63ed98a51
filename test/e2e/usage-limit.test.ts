import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_AGENTS, withFakeAgents } from '../support/fake-agents/index.ts';
import { gitRepo, RunnerProcess, waitFor } from './runner-process.ts';
import { Town } from './town.ts';

type Bead = { id: string; status: string; labels: string[] };
type Escalation = Bead & { kind: string; title: string; close_reason: string };
type Limit = { until: string; at: string; backoff_s: number; lifted_at: string | null };
type Rig = { name: string; usage_limit: Limit | null };
type Audit = { actor: string; verb: string; outcome: string };

/**
 * Issue 18 item 4 with real processes: a service whose witness and lift job run every second, a
 * real rig runner, and the fake Claude Code hitting its usage limit (reference §5 T5, and a limit
 * without a reset time). A wrapper found first on the runner's PATH counts every start of the
 * agent and picks the fake's scenario: the limit for the first `times` starts, then a normal run
 * that finishes with `gt done`.
 */
describe('usage limits are not crashes', () => {
  const town = new Town();
  const repo = gitRepo();
  const scratch = mkdtempSync(join(tmpdir(), 'gt-limit-agents-'));
  const runners: RunnerProcess[] = [];

  beforeAll(async () => {
    await town.up(['--http-port', '0'], { GT_WITNESS_INTERVAL_S: '1', GT_SPAWN_GRACE_S: '2' });
  }, 60_000);
  afterAll(async () => {
    for (const r of runners) await r.stop();
    await town.destroy();
    rmSync(repo, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  const spawnsFile = (rig: string) => join(scratch, `${rig}.spawns`);
  const spawns = (rig: string) =>
    existsSync(spawnsFile(rig)) ? Number(readFileSync(spawnsFile(rig), 'utf8').trim()) : 0;

  /** A rig on the claude preset whose agent hits `scenario` the first `times` starts. */
  const limitedRig = async (rig: string, prefix: string, scenario: string, times: number) => {
    const bin = join(scratch, rig);
    rmSync(bin, { recursive: true, force: true });
    const wrapper = join(bin, 'claude');
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      wrapper,
      [
        '#!/usr/bin/env bash',
        `n=$(( $(cat '${spawnsFile(rig)}' 2>/dev/null || echo 0) + 1 ))`,
        `echo "$n" > '${spawnsFile(rig)}'`,
        `if [ "$n" -le ${times} ]; then export FAKE_SCENARIO=${scenario} FAKE_RESETS_IN=2;`,
        "else export FAKE_SCENARIO=usage FAKE_THEN='gt done'; fi",
        `exec '${join(FAKE_AGENTS, 'claude')}' "$@"`,
        '',
      ].join('\n'),
    );
    chmodSync(wrapper, 0o755);
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
    ]);
    const runner = await RunnerProcess.start(town, rig, [], { PATH: `${bin}:${withFakeAgents()}` });
    runners.push(runner);
    return runner;
  };
  const sling = async (rig: string, title: string) => {
    const id = (await town.json<Bead>('bd', ['create', title, '--rig', rig])).id;
    await town.json('gt', ['sling', id]);
    return id;
  };
  const show = async (id: string) => (await town.json<Bead[]>('bd', ['show', id]))[0] as Bead;
  const rigOf = async (name: string) =>
    (await town.json<Rig[]>('gt', ['rig', 'list'])).find((r) => r.name === name) as Rig;
  const notices = async (all = false) =>
    (await town.json<Escalation[]>('gt', ['escalation', 'list', ...(all ? ['--all'] : [])])).filter(
      (e) => e.kind === 'usage-limit',
    );
  const metrics = async () => (await fetch(`${town.runtime().http_url}/metrics`)).text();
  const sample = (text: string, name: string, labels = '') =>
    text
      .split('\n')
      .map((line) => /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line))
      .filter((m) => m?.[1] === name && (m[2] ?? '').includes(labels))
      .reduce((sum, m) => sum + Number(m?.[3]), 0);
  /** Waits until the lift job and the witness each ran `passes` more times. */
  const passesGoBy = async (passes: number) => {
    const before = await metrics();
    const runs = (t: string, job: string) => sample(t, 'gt_cron_runs_total', `job="${job}"`);
    await waitFor(async () => {
      const now = await metrics();
      return (
        runs(now, 'usage-limit-lift') >= runs(before, 'usage-limit-lift') + passes &&
        runs(now, 'witness') >= runs(before, 'witness') + passes
      );
    }, 20_000);
  };

  it('requeues the bead (no respawn), pauses the rig with one notice, and resumes by itself at the reset (T5)', async () => {
    const runner = await limitedRig('walls', 'wa', 'limit', 1);
    const id = await sling('walls', 'behind the wall');
    await waitFor(
      async () => (await show(id)).status === 'closed',
      45_000,
      () => runner.output,
    );
    // Two starts: the limited one, and the one after the reset that finished the work.
    expect(spawns('walls')).toBe(2);
    const done = await show(id);
    expect(done.labels).toContain('limits:1');
    expect(done.labels.filter((l) => l.startsWith('respawns:'))).toEqual([]);
    // One notice, about the pause, retired by itself when the pause lifted.
    const [notice, ...more] = await notices(true);
    expect(more).toEqual([]);
    expect(notice?.title).toMatch(/^rig walls paused: usage limit until \S+ \(You've hit your session limit/);
    expect(notice).toMatchObject({ status: 'closed' });
    expect(notice?.close_reason).toMatch(/^Retired: the usage-limit pause lifted; dispatch to walls resumed/);
    const rig = await rigOf('walls');
    expect(rig.usage_limit).toMatchObject({ backoff_s: 0, lifted_at: expect.any(String) });
    // Who did what: the runner's verdict, the lift job's resume — and never a respawn.
    const audit = await town.json<Audit[]>('gt', ['audit', '--limit', '500']);
    const did = (verb: string) =>
      audit.filter((a) => a.verb === verb && a.outcome === 'ok').map((a) => a.actor);
    expect(did('gt polecat limited')).toEqual(['runner:walls']);
    expect(did('gt rig resume')).toEqual(['usage-limit-lift']);
    expect(did('gt polecat respawn')).toEqual([]);
    expect(runner.output).toMatch(/hit a usage limit on wa-\w+: back to the queue, rig paused/);
  }, 60_000);

  it('backs off without a reset time — one start per pause, the wait doubling — never a tight loop', async () => {
    const runner = await limitedRig('probe', 'pr', 'limit-no-reset', 1000);
    const id = await sling('probe', 'no reset time');
    await waitFor(
      async () => (await rigOf('probe')).usage_limit !== null,
      30_000,
      () => runner.output,
    );
    const first = (await rigOf('probe')).usage_limit as Limit;
    const wait = (l: Limit) => (Date.parse(l.until) - Date.parse(l.at)) / 1000;
    expect(first.backoff_s).toBe(60);
    expect(wait(first)).toBeGreaterThanOrEqual(60);
    expect(wait(first)).toBeLessThan(66);
    await waitFor(async () => (await show(id)).status === 'open', 15_000);
    await passesGoBy(3);
    expect(spawns('probe')).toBe(1);
    expect(sample(await metrics(), 'gt_usage_limited_rigs')).toBe(1);
    expect(await notices()).toHaveLength(1);
    // A person probes early: one more start, the wall still there, twice the wait.
    await town.json('gt', ['rig', 'resume', 'probe']);
    await waitFor(
      async () => (await rigOf('probe')).usage_limit?.backoff_s === 120,
      30_000,
      () => runner.output,
    );
    const second = (await rigOf('probe')).usage_limit as Limit;
    expect(second.lifted_at).toBeNull();
    await passesGoBy(3);
    expect(spawns('probe')).toBe(2);
    expect((await show(id)).labels).toEqual(expect.arrayContaining(['limits:2', 'gt:queued']));
    // One notice per pause: the first retired with its lift, the second open.
    const about = (await notices(true)).filter((n) => n.title.startsWith('rig probe paused'));
    expect(about.map((n) => n.status).sort()).toEqual(['closed', 'open']);
  }, 90_000);
});
