import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from '../../src/bus/api-client.ts';
import { gitRepo, RunnerProcess, waitFor } from './runner-process.ts';
import { Town } from './town.ts';

type Row = { address: string; pid: number | null; verdict: string; why: string; respawns: number };
type Bead = { id: string; labels: string[] };

/**
 * No false zombie kills (issue 5 acceptance): 50 real polecat processes, busy and printing as
 * they work, watched by a witness ticking every second with a 10 s stall threshold (the runner
 * reports output every 5 s). Over many ticks: no verdict but healthy, no nudge, no respawn, no
 * escalation. (Heartbeat-only polecats are covered in test/unit/witness-pass.test.ts.)
 */
describe('50 healthy polecats under a 1 s witness', () => {
  const town = new Town();
  const repo = gitRepo();
  let runner: RunnerProcess;
  beforeAll(async () => {
    await town.up(['--http-port', '0'], {
      GT_WITNESS_INTERVAL_S: '1',
      GT_SPAWN_GRACE_S: '1',
      GT_HEARTBEAT_STALE_S: '10',
      GT_LOG_LEVEL: 'info',
    });
    const busy = 'while true; do echo "still working on $GT_BEAD"; sleep 2; done';
    await town.json('gt', [
      'rig',
      'add',
      'gamma',
      '--prefix',
      'ga',
      '--repo',
      repo,
      '--merge',
      'local',
      '--command',
      busy,
      '--max-polecats',
      '50',
    ]);
    runner = await RunnerProcess.start(town, 'gamma');
  }, 60_000);
  afterAll(async () => {
    await runner?.stop();
    await town.destroy();
    rmSync(repo, { recursive: true, force: true });
  });

  it('flags none of them over 15 witness ticks', async () => {
    const nc = await town.connectNats();
    const ids: string[] = [];
    try {
      for (let i = 0; i < 50; i++) {
        const reply = await callApi(nc, 'gt', {
          verb: 'bd create',
          args: { title: `job ${i}`, rig: 'gamma' },
          actor: { kind: 'human', id: 'e2e-user' },
        });
        if (!reply.ok) throw new Error(reply.error.message);
        ids.push((reply.data as Bead).id);
      }
    } finally {
      await nc.close();
    }
    await town.json('gt', ['convoy', 'launch', ...ids, '--force']); // 50 in one wave: a capacity warning
    let rows: Row[] = [];
    await waitFor(
      async () => {
        rows = await town.json<Row[]>('gt', ['polecats', '--rig', 'gamma']);
        return rows.length === 50 && rows.every((r) => r.pid !== null);
      },
      60_000,
      () => `${rows.length} running\n${runner.output.slice(-2000)}`,
    );
    await new Promise((r) => setTimeout(r, 15_000));
    rows = await town.json<Row[]>('gt', ['polecats', '--rig', 'gamma']);
    expect(rows.filter((r) => r.verdict !== 'healthy')).toEqual([]);
    expect(rows.every((r) => r.respawns === 0)).toBe(true);
    expect(await town.json('gt', ['escalation', 'list'])).toEqual([]);
    expect(town.serviceOutput).not.toContain('witness pass'); // logged only when it acted
  }, 150_000);
});
