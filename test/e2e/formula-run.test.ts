import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MQ_POLECAT } from '../support/mq-polecat.ts';
import { gitRepo, RunnerProcess, waitFor } from './runner-process.ts';
import { Town } from './town.ts';

type Bead = { id: string; status: string; close_reason: string };
type Run = {
  root: string;
  convoy_id: string;
  beads: string[];
  steps: Record<string, string>;
  status: string;
  waves: Array<{ wave: number; issues: string[] }>;
};

/**
 * From a formula to landed work, in a running town with real polecats and the merge queue: `gt
 * formula run --launch` cooks the steps and opens the convoy; the first step's polecat lands its
 * work; the human gate after it holds what depends on it until a person approves it; then the
 * last step is dispatched, lands, and the convoy closes.
 */
describe('gt formula run, end to end', () => {
  const town = new Town();
  let runner: RunnerProcess;
  let repo = '';
  const show = async (id: string) => (await town.json<Bead[]>('bd', ['show', id]))[0] as Bead;
  const closed = (id: string) =>
    waitFor(
      async () => (await show(id)).status === 'closed',
      60_000,
      () => `${id} never closed: ${runner.output.slice(-3000)}`,
    );

  beforeAll(async () => {
    const script = join(mkdtempSync(join(tmpdir(), 'gt-formula-')), 'polecat.sh');
    writeFileSync(script, MQ_POLECAT, { mode: 0o700 });
    await town.up(['--http-port', '0'], { GT_MQ_POLL_S: '1' });
    repo = gitRepo();
    await town.json('gt', ['rig', 'add', 'web', '--prefix', 'web', '--repo', repo, '--command', script]);
    await town.json('gt', ['rig', 'set', 'web', '--gate', 'test -d .']);
    mkdirSync(join(town.home, 'formulas'), { recursive: true });
    writeFileSync(
      join(town.home, 'formulas', 'reviewed.formula.toml'),
      [
        'formula = "reviewed"',
        'description = "Ship {{thing}}"',
        '[vars.thing]',
        'required = true',
        '[[steps]]',
        'id = "build"',
        'title = "build-{{thing}}"',
        '[steps.gate]',
        'type = "human"',
        '[[steps]]',
        'id = "ship"',
        'title = "ship-{{thing}}"',
        'needs = ["build"]',
      ].join('\n'),
    );
    runner = await RunnerProcess.start(town, 'web');
  }, 90_000);
  afterAll(async () => {
    await runner.stop();
    await town.destroy();
  });

  it('cooks, launches, holds the second step for a person, then lands it all on main', async () => {
    const run = await town.json<Run>('gt', [
      'formula',
      'run',
      'reviewed',
      '--var',
      'thing=search',
      '--launch',
    ]);
    expect(run.status).toBe('open');
    // The contract's shape: the step beads in step order, the waves as gt convoy stage gives them.
    expect(run).toMatchObject({ convoy_id: expect.any(String), root: expect.any(String) });
    expect(run.beads).toEqual([run.steps.build, run.steps['build.approval'], run.steps.ship]);
    expect(run.beads).toEqual(Object.values(run.steps));
    expect(run.waves).toEqual([{ wave: 1, issues: [run.steps.build] }]);
    const gate = run.steps['build.approval'] as string;
    await closed(run.steps.build as string);
    expect((await show(run.steps.build as string)).close_reason).toMatch(/^Merged in web-mr-/);
    // The gate is ready now; what it holds is not dispatched until a person approves.
    const gates = await town.json<Array<{ id: string; ready: boolean }>>('gt', ['gate', 'list']);
    expect(gates).toEqual([expect.objectContaining({ id: gate, ready: true })]);
    expect((await show(run.steps.ship as string)).status).toBe('open');
    await town.json('gt', ['gate', 'approve', gate, '-m', 'reviewed the build']);
    await closed(run.steps.ship as string);
    await waitFor(
      async () =>
        (await town.json<{ status: string }>('gt', ['convoy', 'status', run.convoy_id])).status === 'closed',
      30_000,
      () => 'the convoy never landed',
    );
    const log = execFileSync('git', ['-C', repo, 'log', '--format=%s', 'main'], { encoding: 'utf8' });
    expect(log.trim().split('\n')).toEqual(['ship-search', 'build-search', 'initial']);
  }, 120_000);
});
