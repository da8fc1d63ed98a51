import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitRepo, RunnerProcess, waitFor } from './runner-process.ts';
import { Town } from './town.ts';

type Bead = {
  id: string;
  status: string;
  assignee: string | null;
  labels: string[];
  description: string;
  close_reason: string;
};
type Row = {
  address: string;
  bead_id: string;
  pid: number | null;
  verdict: string;
  why: string;
  respawns: number;
};
type Escalation = Bead & { kind: string; agent: string; bead_id: string; proposed_actions: string[] };

/**
 * Issue 5 acceptance with real processes: a service with a 1 s witness, rig runners spawning
 * real polecat processes in git worktrees, and faults injected with kill -9.
 */
describe('supervision with real polecats', () => {
  const town = new Town();
  const repo = gitRepo();
  const runners: RunnerProcess[] = [];
  const serviceEnv = {
    GT_WITNESS_INTERVAL_S: '1',
    GT_SPAWN_GRACE_S: '2',
    GT_HEARTBEAT_STALE_S: '8',
    GT_MAX_RESPAWNS: '3',
  };

  beforeAll(async () => {
    await town.up(['--http-port', '0'], serviceEnv);
    // alpha's polecats keep printing (busy and healthy) until killed.
    const busy = 'while true; do echo working; sleep 1; done';
    await town.json('gt', [
      'rig',
      'add',
      'alpha',
      '--prefix',
      'al',
      '--repo',
      repo,
      '--merge',
      'local',
      '--command',
      busy,
    ]);
    // beta's Toast hangs silently; any other polecat commits and finishes.
    const finish = [
      'if [ "$GT_AGENT" = beta/Toast ]; then exec sleep 600; fi',
      'echo "done by $GT_AGENT" > out.txt && git add . && git -c user.email=p@e.com -c user.name=p commit -qm w && gt done',
    ].join('; ');
    await town.json('gt', [
      'rig',
      'add',
      'beta',
      '--prefix',
      'be',
      '--repo',
      repo,
      '--merge',
      'local',
      '--command',
      finish,
    ]);
    runners.push(await RunnerProcess.start(town, 'alpha'), await RunnerProcess.start(town, 'beta'));
  }, 60_000);

  afterAll(async () => {
    for (const r of runners) await r.stop();
    await town.destroy();
    rmSync(repo, { recursive: true, force: true });
  });

  const polecat = async (address: string) =>
    (await town.json<Row[]>('gt', ['polecats'])).find((r) => r.address === address);
  const show = async (id: string) => (await town.json<Bead[]>('bd', ['show', id]))[0] as Bead;
  const escalations = () => town.json<Escalation[]>('gt', ['escalation', 'list']);
  const logs = () =>
    `\nservice:\n${town.serviceOutput}\nrunners:\n${runners.map((r) => r.output).join('\n')}`;

  it('kill -9 → zombie → respawned, up to the limit; then a crash-loop escalation', async () => {
    const id = (await town.json<Bead>('bd', ['create', 'Long job', '--rig', 'alpha'])).id;
    await town.json('gt', ['sling', id]);
    const agent = (await show(id)).assignee as string;
    for (let respawns = 0; respawns <= 3; respawns++) {
      let row: Row | undefined;
      await waitFor(
        async () => {
          row = await polecat(agent);
          return row?.pid != null && row.respawns === respawns && row.verdict === 'healthy';
        },
        20_000,
        () => `waiting for ${agent} (respawn ${respawns}) to run: ${JSON.stringify(row)}${logs()}`,
      );
      // Past its spawn grace (GT_SPAWN_GRACE_S): a death inside it reads as a failed start, which
      // is not what this test is about. The grace is a duration, so this one wait is one.
      await new Promise((r) => setTimeout(r, 2_100));
      process.kill(row?.pid as number, 'SIGKILL');
      if (respawns < 3)
        await waitFor(async () => (await show(id)).labels.includes(`respawns:${respawns + 1}`), 10_000, logs);
    }
    await waitFor(async () => (await escalations()).some((e) => e.kind === 'crash-loop'), 15_000, logs);
    const [e] = await escalations();
    expect(e).toMatchObject({
      kind: 'crash-loop',
      agent,
      bead_id: id,
      labels: expect.arrayContaining(['severity:high']),
    });
    expect(e?.description).toMatch(/after 3 respawns/);
    expect((await polecat(agent))?.verdict).toBe('crash-loop');
    // Two more witness passes (1 s apart) see the same crash loop: still one escalation.
    const passes = async () => {
      const metrics = await (await fetch(`${town.runtime().http_url}/metrics`)).text();
      return Number(/gt_cron_runs_total\{job="witness",outcome="ok"\} (\d+)/.exec(metrics)?.[1] ?? 0);
    };
    const seen = await passes();
    await waitFor(async () => (await passes()) >= seen + 2, 15_000, logs);
    expect(await escalations()).toHaveLength(1); // folded: not one per tick
    expect((await show(id)).labels).toContain('respawns:3'); // and no fourth respawn
    await town.json('gt', ['escalation', 'resolve', e?.id as string, '--action', 'acknowledge']);
  }, 120_000);

  it('a silent polecat is nudged, then escalated with a reassignment; approving it moves the bead and it gets done', async () => {
    const id = (await town.json<Bead>('bd', ['create', 'Hard job', '--rig', 'beta'])).id;
    await town.json('gt', ['sling', id]);
    expect((await show(id)).assignee).toBe('beta/Toast');
    let e: Escalation | undefined;
    await waitFor(
      async () => {
        e = (await escalations()).find((x) => x.kind === 'stuck-agent');
        return e !== undefined;
      },
      30_000,
      logs,
    );
    expect(e).toMatchObject({ agent: 'beta/Toast', bead_id: id });
    expect(e?.proposed_actions).toEqual(['reassign:beta/Nux', 'reassign:queue', 'restart', 'acknowledge']);
    const approved = await town.json<Bead>('gt', [
      'escalation',
      'resolve',
      e?.id as string,
      '--action',
      'reassign:beta/Nux',
    ]);
    expect(approved.close_reason).toBe('Resolved: reassigned to beta/Nux by e2e-user');
    await waitFor(async () => (await show(id)).status === 'closed', 30_000, logs);
    expect((await show(id)).close_reason).toMatch(/^Done by beta\/Nux/);
    expect(runners[1]?.output).toContain(`stopping beta/Toast on ${id} (ordered)`);
    // Toast was nudged first, and told to stop after: both wait, queued, for its next heartbeat.
    const beat = await town.json<{ nudges: Array<{ message: string }> }>('gt', [
      'heartbeat',
      '--agent',
      'beta/Toast',
    ]);
    expect(beat.nudges.map((n) => n.message)).toEqual([
      expect.stringMatching(/^witness: no activity on/),
      `stop: ${id} was reassigned to beta/Nux by e2e-user`,
    ]);
    const again = await town.run('gt', [
      'escalation',
      'resolve',
      e?.id as string,
      '--action',
      'reassign:beta/Slit',
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already resolved/);
  }, 90_000);
});
