import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitRepo, RunnerProcess, waitFor } from './runner-process.ts';
import { Town } from './town.ts';

type Bead = { id: string; status: string; assignee: string | null; labels: string[]; close_reason: string };

/** Issue 5: the stranded scan runs at once when the service starts, and on its interval. */
describe('stranded scan in the service', () => {
  const town = new Town();
  const repo = gitRepo();
  // A polecat silent for 3 s with no runner reporting it is abandoned (the default is 180 s).
  const serviceEnv = { GT_HEARTBEAT_STALE_S: '3', GT_SPAWN_GRACE_S: '1' };
  const up = () => town.up(['--http-port', '0'], serviceEnv);
  const metrics = async () => (await fetch(`${town.runtime().http_url}/metrics`)).text();
  beforeAll(async () => {
    await up();
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
      'gt done',
    ]);
    // The scan at start must be behind us: once the service leads, it runs at once, and a late lead
    // (a loaded machine) would otherwise sling the first test's "left behind" convoy before the kill.
    await waitFor(
      async () => /gt_cron_runs_total\{job="stranded-scan"[^}]*\} [1-9]/.test(await metrics()),
      15_000,
    );
  }, 30_000);
  afterAll(async () => {
    await town.destroy();
    rmSync(repo, { recursive: true, force: true });
  });

  const show = async (id: string) => (await town.json<Bead[]>('bd', ['show', id]))[0] as Bead;

  it('after kill -9, the immediate scan at start dispatches ready work of open convoys', async () => {
    const a = (await town.json<Bead>('bd', ['create', 'A', '--rig', 'alpha'])).id;
    const b = (await town.json<Bead>('bd', ['create', 'B', '--rig', 'alpha'])).id;
    // An open convoy whose beads were never slung: what a crash between `convoy create` and a sling leaves.
    await town.json('gt', ['convoy', 'create', 'left behind', a, b]);
    expect([(await show(a)).status, (await show(b)).status]).toEqual(['open', 'open']);
    await town.down('SIGKILL');
    await up();
    await waitFor(
      async () => (await show(a)).status === 'hooked' && (await show(b)).status === 'hooked',
      5_000,
    );
  }, 60_000);

  it('beads hooked to polecats nobody runs when the service is killed are recovered by the scan at restart', async () => {
    const c = (await town.json<Bead>('bd', ['create', 'C', '--rig', 'alpha'])).id;
    await town.json('gt', ['sling', c]);
    const before = await show(c);
    expect(before.status).toBe('hooked');
    await town.down('SIGKILL');
    await new Promise((r) => setTimeout(r, 3_500)); // no runner, no heartbeat: abandoned
    await up();
    // Released (its respawn counted) and slung again by the scan that runs at start…
    await waitFor(
      async () => (await show(c)).labels.includes('respawns:1'),
      5_000,
      () => town.serviceOutput,
    );
    expect((await show(c)).status).toBe('hooked');
    // …so a runner that comes back finishes it.
    const runner = await RunnerProcess.start(town, 'alpha');
    try {
      await waitFor(
        async () => (await show(c)).status === 'closed',
        20_000,
        () => runner.output,
      );
    } finally {
      await runner.stop();
    }
  }, 60_000);
});
