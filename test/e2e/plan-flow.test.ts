import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MQ_POLECAT } from '../support/mq-polecat.ts';
import { SCRIPTED_MAYOR } from '../support/scripted-mayor.ts';
import { gitRepo, RunnerProcess, waitFor } from './runner-process.ts';
import { Town } from './town.ts';

type Bead = { id: string; status: string; close_reason: string; title: string; created_by: string };
type View = {
  id: string;
  state: string;
  round: number;
  version: number;
  note: string | null;
  convoy: { id: string; status: string; version: number } | null;
  waves: Array<{ wave: number; beads: Array<{ id: string; title: string; needs: string[] }> }>;
  edges: number;
};

/**
 * Planning with the Mayor from the command line, in a running town: a scripted Mayor (a shell
 * command using the real `bd`/`gt`, as a real Mayor would) plans, is refused what a Mayor may not
 * do, revises on request, and a person launches (at the version seen) or discards the plan. A
 * Mayor that fails or stages nothing leaves nothing half-made and the plan says why.
 */
describe('gt plan with a scripted Mayor', () => {
  const town = new Town();
  let runner: RunnerProcess;
  const seen = () => readFileSync(join(town.home, 'mayor', 'seen.log'), 'utf8');
  const show = (id: string) => town.json<View>('gt', ['plan', 'show', id]);
  const bead = async (id: string) => (await town.json<Bead[]>('bd', ['show', id]))[0] as Bead;
  const settled = (id: string, state: string, round = 1) =>
    waitFor(
      async () => {
        const v = await show(id);
        return v.state === state && v.round >= round;
      },
      30_000,
      () =>
        `plan ${id} never became ${state} (round ${round}); mayor log: ${seen()}\nservice: ${town.serviceOutput.slice(-3000)}`,
    );

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gt-mayor-'));
    writeFileSync(join(dir, 'mayor.sh'), SCRIPTED_MAYOR, { mode: 0o700 });
    writeFileSync(join(dir, 'polecat.sh'), MQ_POLECAT, { mode: 0o700 });
    await town.up(['--http-port', '0'], { GT_MQ_POLL_S: '1' });
    await town.json('gt', [
      'rig',
      'add',
      'web',
      '--prefix',
      'web',
      '--repo',
      gitRepo(),
      '--command',
      join(dir, 'polecat.sh'),
    ]);
    await town.json('gt', ['rig', 'set', 'web', '--gate', 'test -d .']);
    const before = await town.run('gt', ['plan', 'add search', '--rig', 'web']);
    expect(before.code).toBe(1);
    expect(before.stderr).toMatch(/no Mayor to plan with yet; ask an admin to set one up: gt mayor config/);
    await town.json('gt', [
      'mayor',
      'config',
      '--command',
      `bash ${join(dir, 'mayor.sh')}`,
      '--timeout',
      '60',
    ]);
    runner = await RunnerProcess.start(town, 'web');
  }, 90_000);
  afterAll(async () => {
    await runner.stop();
    await town.destroy();
  });

  it('refuses a bad request and writes nothing', async () => {
    const empty = await town.run('gt', ['plan', '   ']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/give the goal in words/);
    const long = await town.run('gt', ['plan', 'x'.repeat(2001)]);
    expect(long.stderr).toMatch(/over 2000: use at most 2000/);
    const rig = await town.run('gt', ['plan', 'add search', '--rig', 'nope']);
    expect(rig.stderr).toMatch(/no rig nope; see gt rig list \(web\)/);
    const formula = await town.run('gt', ['plan', 'add search', '--formula', 'featur']);
    expect(formula.stderr).toMatch(/no formula "featur".*did you mean feature/);
    const plans = await town.json<Bead[]>('bd', ['list', '--label', 'plan', '--all']);
    expect(plans).toEqual([]);
  });

  it('plans, revises on request, refuses a stale launch, then launches to polecats', async () => {
    const asked = await town.json<{ plan: string; state: string }>('gt', [
      'plan',
      'add search',
      '--rig',
      'web',
    ]);
    expect(asked.state).toBe('queued');
    await settled(asked.plan, 'ready');
    const first = await show(asked.plan);
    expect(first.convoy?.status).toBe('staged_ready');
    expect(first.waves.map((w) => w.beads.map((b) => b.title))).toEqual([
      ['build-search'],
      ['need-build-search'],
    ]);
    expect(first.edges).toBe(1);
    // The Mayor holds planning rights only: launching its plan, a convoy or slinging is refused.
    expect(seen()).toMatch(/round .* as mayor\//);
    for (const tried of ['plan-launch', 'convoy-launch', 'sling'])
      expect(seen()).toContain(`${tried}-exit=1`);
    expect(seen()).toMatch(/agents may not run gt plan launch/);
    expect(seen()).toMatch(/mayor\/ may not run gt convoy launch: it needs convoy:launch/);

    const convoy = first.convoy?.id as string;
    await town.json('gt', [
      'plan',
      'revise',
      convoy,
      '-m',
      'also document the search box',
      '--version',
      String(first.convoy?.version),
    ]);
    await settled(asked.plan, 'ready', 2);
    const second = await show(convoy);
    expect(second.convoy?.id).toBe(convoy); // the same convoy, re-staged
    expect(second.waves.flatMap((w) => w.beads.map((b) => b.title)).sort()).toEqual([
      'build-search',
      'docs-search',
      'need-build-search',
    ]);
    expect(seen()).toMatch(/mail:[\s\S]*Revise plan/);

    const stale = await town.run('gt', [
      'plan',
      'launch',
      convoy,
      '--version',
      String(first.convoy?.version),
    ]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/the plan changed since you saw it/);
    expect((await bead(convoy)).status).toBe('staged_ready');

    const launched = await town.json<{ dispatched: Array<{ id: string; ok: boolean }> }>('gt', [
      'plan',
      'launch',
      convoy,
      '--version',
      String(second.convoy?.version),
    ]);
    expect(launched.dispatched.map((d) => d.ok)).toEqual([true, true]); // build-search and docs-search
    expect((await bead(asked.plan)).close_reason).toMatch(/^Launched by .* as convoy /);
    const buildId = second.waves[0]?.beads.find((b) => b.title === 'build-search')?.id as string;
    await waitFor(
      async () => (await bead(buildId)).status === 'closed',
      60_000,
      () => runner.output.slice(-2000),
    );
    const again = await town.run('gt', ['plan', 'launch', convoy]);
    expect(again.stderr).toMatch(/it was launched already/);
  }, 120_000);

  it('discards a plan: its convoy and beads close with the reason', async () => {
    const { plan } = await town.json<{ plan: string }>('gt', ['plan', 'tidy the footer', '--rig', 'web']);
    await settled(plan, 'ready');
    const v = await show(plan);
    await town.json('gt', ['plan', 'discard', v.convoy?.id as string, '-r', 'not now']);
    for (const id of [v.convoy?.id as string, ...v.waves.flatMap((w) => w.beads.map((b) => b.id))])
      expect(await bead(id)).toMatchObject({
        status: 'closed',
        close_reason: expect.stringMatching(/Discarded by .*: not now/),
      });
    expect((await show(plan)).state).toBe('discarded');
  }, 60_000);

  it('a formula a person runs is a plan too: shown, and launched or discarded like one', async () => {
    const run = await town.json<{ plan: string; convoy_id: string; root: string }>('gt', [
      'formula',
      'run',
      'feature',
      '--var',
      'feature=login',
      '--var',
      'docs=no',
      '--rig',
      'web',
    ]);
    const v = await show(run.convoy_id);
    expect(v).toMatchObject({ id: run.plan, state: 'ready', convoy: { id: run.convoy_id } });
    expect(v.waves[0]?.beads.map((b) => b.title)).toEqual(['Design login']);
    await town.json('gt', ['plan', 'discard', run.convoy_id, '-r', 'later']);
    expect((await bead(run.convoy_id)).status).toBe('closed');
    // Its steps did not complete: the run's root says it was discarded, whoever closed it.
    expect(await bead(run.root)).toMatchObject({
      status: 'closed',
      close_reason: expect.stringMatching(/Discarded by .*: later/),
    });
  });

  it('a Mayor that exits without finishing leaves nothing half-made, and the plan says why', async () => {
    const { plan } = await town.json<{ plan: string }>('gt', [
      'plan',
      'MAYOR-FAILS on purpose',
      '--rig',
      'web',
    ]);
    await settled(plan, 'failed');
    expect((await bead(plan)).close_reason).toMatch(
      /^Failed: the Mayor exited \(code 1\) without gt done; its log: /,
    );
    const made = (await town.json<Bead[]>('bd', ['list', '--all'])).filter((b) => b.title === 'half-made');
    expect(made).toEqual([expect.objectContaining({ status: 'closed', created_by: 'mayor/' })]);
  }, 60_000);

  it('a Mayor that stages nothing is told so by gt done, and the plan fails', async () => {
    const { plan } = await town.json<{ plan: string }>('gt', [
      'plan',
      'MAYOR-STAGES-NOTHING here',
      '--rig',
      'web',
    ]);
    await settled(plan, 'failed');
    expect(seen()).toMatch(/nothing is staged yet; stage the beads with gt convoy stage[\s\S]*done-exit=1/);
    expect((await bead(plan)).close_reason).toMatch(/^Failed: the Mayor exited \(code 0\) without gt done/);
  }, 60_000);
});
