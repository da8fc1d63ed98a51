import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NatsServerProcess, startNatsServer } from '../../src/bus/nats-server-process.ts';
import { waitFor } from './runner-process.ts';
import { Town } from './town.ts';

interface CronRun {
  job: string;
  /** The leader lease revision (fencing token) of the replica that ran it. */
  fence: number;
  /** `tick` for a scheduled run, `lead` for the stranded scan a replica runs when it starts leading. */
  trigger: 'tick' | 'lead';
  at: string;
}

/** The `cron job ran` lines a service logged (pino JSON at debug). */
function cronRuns(output: string): CronRun[] {
  return output
    .split('\n')
    .filter((l) => l.includes('"cron job ran"'))
    .map((l) => JSON.parse(l) as CronRun);
}

/**
 * Issue 5 item 2: two service replicas on one NATS and one ledger. Only the lease holder runs
 * the cron jobs, so each tick of each job runs once in the town; when the leader stops, the
 * other replica takes over with a higher fencing token.
 */
describe('two replicas, one cron', () => {
  const [one, two] = [new Town(), new Town()];
  let nats: NatsServerProcess;
  const env = {
    GT_LOG_LEVEL: 'debug',
    GT_WITNESS_INTERVAL_S: '1',
    GT_STRANDED_INTERVAL_S: '1',
    GT_LEASE_TTL_MS: '2000',
  };
  beforeAll(async () => {
    nats = await startNatsServer({ storeDir: join(one.home, 'shared-nats') });
    const args = [
      '--http-port',
      '0',
      '--nats',
      nats.url,
      '--ledger',
      `sqlite:${join(one.home, 'shared.db')}`,
    ];
    await one.up(args, env);
    await two.up(args, env);
  }, 60_000);
  afterAll(async () => {
    await two.destroy();
    await one.destroy();
    await nats.stop();
  });

  it('runs each tick of each job exactly once, across a leader change', async () => {
    // Several ticks of every job, on whichever replica leads.
    const ticksOf = (t: Town, job: string) =>
      cronRuns(t.serviceOutput).filter((r) => r.job === job && r.trigger === 'tick').length;
    const enoughTicks = (t: Town) =>
      ['stranded-scan', 'witness', 're-escalation'].every((j) => ticksOf(t, j) >= 3);
    await waitFor(
      async () => enoughTicks(one) || enoughTicks(two),
      20_000,
      () => 'no replica ran its cron jobs',
    );
    const leader = cronRuns(one.serviceOutput).length > 0 ? one : two;
    const follower = leader === one ? two : one;
    expect(cronRuns(follower.serviceOutput)).toEqual([]);
    expect(cronRuns(leader.serviceOutput).filter((r) => r.trigger === 'lead')).toHaveLength(1);
    await leader.down('SIGTERM');
    await waitFor(
      async () => enoughTicks(follower),
      20_000,
      () => 'the follower never took over',
    );
    const before = cronRuns(leader.serviceOutput);
    const after = cronRuns(follower.serviceOutput);
    expect(after.length).toBeGreaterThan(0); // the follower took over
    expect(Math.min(...after.map((r) => r.fence))).toBeGreaterThan(Math.max(...before.map((r) => r.fence)));
    // Each run is logged when it starts and counted when it ends: compare around the fetch.
    const witnessRuns = () => cronRuns(follower.serviceOutput).filter((r) => r.job === 'witness').length;
    const startedBefore = witnessRuns();
    const metrics = await (await fetch(`${follower.runtime().http_url}/metrics`)).text();
    const counted = Number(/gt_cron_runs_total\{job="witness",outcome="ok"\} (\d+)/.exec(metrics)?.[1] ?? 0);
    expect(counted).toBeGreaterThanOrEqual(startedBefore - 1);
    // A run's log line reaches us through the child's stderr pipe, possibly after /metrics
    // answered: every run counted shows up as a logged start.
    await waitFor(
      async () => counted <= witnessRuns(),
      10_000,
      () => `${counted} runs counted, ${witnessRuns()} logged`,
    );
    const all = [...before, ...after];
    for (const job of ['stranded-scan', 'witness', 're-escalation']) {
      const ticks = all.filter((r) => r.job === job && r.trigger === 'tick').map((r) => r.at.slice(0, 19));
      expect(ticks.length).toBeGreaterThanOrEqual(5);
      expect(new Set(ticks).size).toBe(ticks.length); // no second run of any one tick
    }
  }, 60_000);
});
