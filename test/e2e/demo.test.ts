import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type NatsServerProcess, startNatsServer } from '../../src/bus/nats-server-process.ts';
import { slackEnv, writePolicy } from '../support/chat-setup.ts';
import { RecordingServer } from '../support/recording-server.ts';
import { waitFor } from './runner-process.ts';
import { Town } from './town.ts';

const METRICS = [
  'gt_commands_total',
  'gt_command_duration_seconds',
  'gt_beads',
  'gt_convoys',
  'gt_dispatch_latency_seconds',
  'gt_polecats',
  'gt_escalations_open',
  'gt_mq_depth',
  'gt_mq_outcomes_total',
  'gt_mq_landing_seconds',
  'gt_mq_wait_seconds',
  'gt_mq_verify_seconds',
  'gt_mq_gate_runs_total',
  'gt_mq_batch_size',
  'gt_mq_bisection_depth',
  'gt_mail_delivered_total',
  'gt_nats_reconnects_total',
  'gt_chat_api_errors_total',
  'gt_cron_job_duration_seconds',
  'process_cpu_seconds_total',
  'nodejs_eventloop_lag_seconds',
];

/** Sum of every sample of a metric whose labels contain `labels` (e.g. `status="closed"`). */
function sample(text: string, name: string, labels = ''): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m?.[1] === name && (m[2] ?? '').includes(labels)) total += Number(m[3]);
  }
  return total;
}

/** The README's run command, `bash scripts/up.sh …` (set-up, then `gt demo …`), as a user runs it. */
function runReadmeCommand(
  env: NodeJS.ProcessEnv,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn('bash', [UP_SH, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.once('exit', (code) => done({ code, stdout, stderr }));
  });
}

const GT = join(import.meta.dirname, '../../bin/gt.mjs');
const UP_SH = join(import.meta.dirname, '../../scripts/up.sh');

const git = (repo: string, ...args: string[]) =>
  execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
const branches = (repo: string) =>
  git(repo, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/polecat/').split('\n').filter(Boolean);

/**
 * Issue 7: the demo as the README runs it, and the metrics it moves. `gt demo` starts its own
 * service when none runs (the README's run command), or joins the running one.
 */
describe('gt demo', () => {
  it('the README run command on a fresh home: starts the service, lands every change on main, stops (--exit)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'gt-demo-'));
    try {
      const r = await runReadmeCommand(new Town(home).env(), ['--exit', '--http-port', '0', '--pace', '0']);
      expect(r.stderr).not.toMatch(/error/i);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Starting the service/);
      expect(r.stdout).toMatch(/Staged hq-cv-\w+: 7 beads in 5 waves/);
      expect(r.stdout).toMatch(/✅ hq-cv-\w+ landed in [\d.]+ s/);
      expect(r.stdout).toMatch(/wave 5 {2}▓{10} 1\/1/);
      const api = join(home, 'demo/repos/api');
      const web = join(home, 'demo/repos/web');
      expect(r.stdout).toMatch(/Every polecat's work is on main, verified by the merge queue/);
      expect(r.stdout).toContain(`git -C ${web} log --oneline --graph main`);
      // Main holds each polecat's real commit, once; the merged branches are gone.
      const main = (repo: string) => git(repo, 'log', 'main', '--format=%s');
      expect(main(api).match(/demo work by demo-api\//g)).toHaveLength(3);
      expect(main(web).match(/demo work by demo-web\//g)).toHaveLength(4);
      for (const line of main(web).split('\n').filter(Boolean)) expect(r.stdout).toContain(line);
      expect([...branches(api), ...branches(web)]).toEqual([]);
      expect(git(api, 'show', 'main:CHANGELOG.md').trim().split('\n')).toHaveLength(3);
      expect(existsSync(join(home, 'runtime.json'))).toBe(false); // the service it started has stopped
      // Without chat, the gt up it started said what to try and how to add Slack or Discord.
      expect(readFileSync(join(home, 'gt-up.log'), 'utf8')).toMatch(
        /try: {2}gt demo[\s\S]*chat: none configured[\s\S]*docs\/slack\.md[\s\S]*docs\/discord\.md/,
      );
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 120_000);

  describe('against a running town (its own NATS, restarted; a Slack that refuses card posts)', () => {
    const town = new Town();
    const slackApi = new RecordingServer();
    let nats: NatsServerProcess;
    let port: number;
    const natsStore = () => join(town.home, 'external-nats');
    beforeAll(async () => {
      await slackApi.start();
      slackApi.answer((r) =>
        r.path === '/api/chat.postMessage' ? { body: { ok: false, error: 'channel_not_found' } } : undefined,
      );
      port = await freePort();
      nats = await startNatsServer({ storeDir: natsStore(), port });
    });
    afterAll(async () => {
      await town.destroy();
      await nats.stop();
      await slackApi.stop();
    });

    it('moves every metric of the list while it runs', async () => {
      const policy = writePolicy(town, { roles: {}, routing: { convoys: { slack: 'C_GONE' } } });
      await town.up(['--http-port', '0', '--nats', nats.url], {
        GT_WITNESS_INTERVAL_S: '1',
        GT_POLICY_FILE: policy,
        ...slackEnv(slackApi, 'secret'),
      });
      const metrics = async () => (await fetch(`${town.runtime().http_url}/metrics`)).text();
      const before = await metrics();
      for (const name of METRICS) expect(before, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
      // NATS goes away and comes back: the service reconnects (and counts it) before the demo.
      await nats.stop();
      nats = await startNatsServer({ storeDir: natsStore(), port });
      await waitFor(async () => (await fetch(`${town.runtime().http_url}/readyz`)).status === 200, 20_000);
      const demo = spawn(process.execPath, [GT, 'demo', '--pace', '1'], {
        env: town.env(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      demo.stdout.on('data', (c: Buffer) => {
        output += c.toString();
      });
      demo.stderr.on('data', (c: Buffer) => {
        output += c.toString();
      });
      const exited = new Promise<number | null>((r) => demo.once('exit', (code) => r(code)));
      // Gauges of the moment: polecats at work and an open escalation, seen while the demo runs.
      const during = { polecats: 0, escalations: 0 };
      while (demo.exitCode === null) {
        const now = await metrics();
        during.polecats = Math.max(during.polecats, sample(now, 'gt_polecats', 'rig="demo-'));
        during.escalations = Math.max(
          during.escalations,
          sample(now, 'gt_escalations_open', 'severity="low"'),
        );
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(await exited, output).toBe(0);
      expect(output).toMatch(/Using the running town/);
      const after = await metrics();
      expect(during.polecats).toBeGreaterThan(0);
      expect(during.escalations).toBe(1);
      expect(sample(after, 'gt_commands_total')).toBeGreaterThan(sample(before, 'gt_commands_total'));
      expect(sample(after, 'gt_command_duration_seconds_count')).toBeGreaterThan(
        sample(before, 'gt_command_duration_seconds_count'),
      );
      const closed = (
        await town.json<Array<{ issue_type: string; status: string }>>('bd', ['list', '--all'])
      ).filter((b) => b.issue_type !== 'convoy' && b.status === 'closed');
      expect(closed.length).toBeGreaterThanOrEqual(7); // the demo's work, and its question once retired
      expect(sample(after, 'gt_beads', 'status="closed"')).toBe(closed.length);
      expect(sample(after, 'gt_convoys', 'status="closed"')).toBe(1);
      // Every change of the demo landed through a merge queue, and the queue is empty again.
      expect(sample(after, 'gt_mq_outcomes_total', 'outcome="landed"')).toBe(7);
      expect(sample(after, 'gt_mq_landing_seconds_count')).toBe(7);
      expect(sample(after, 'gt_mq_depth')).toBe(0);
      // Each MR waited once before each of its verifications: at least one wait per landed MR.
      expect(sample(after, 'gt_mq_wait_seconds_count')).toBeGreaterThanOrEqual(7);
      expect(sample(after, 'gt_mq_batch_size_sum')).toBe(sample(after, 'gt_mq_wait_seconds_count'));
      // Waves 2–5 were each dispatched by a close: 3 + 1 + 1 + 1.
      expect(sample(after, 'gt_dispatch_latency_seconds_count')).toBe(6);
      expect(sample(after, 'gt_mail_delivered_total')).toBeGreaterThanOrEqual(7);
      expect(sample(after, 'gt_cron_job_duration_seconds_count', 'job="witness"')).toBeGreaterThan(
        sample(before, 'gt_cron_job_duration_seconds_count', 'job="witness"'),
      );
      expect(sample(after, 'gt_nats_reconnects_total')).toBeGreaterThan(
        sample(before, 'gt_nats_reconnects_total'),
      );
      // The demo convoy's card could not be posted: counted by platform and Slack's error code.
      expect(
        sample(after, 'gt_chat_api_errors_total', 'platform="slack",code="channel_not_found"'),
      ).toBeGreaterThan(0);
    }, 120_000);
  });
});
