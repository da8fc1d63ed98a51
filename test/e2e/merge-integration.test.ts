import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MQ_POLECAT } from '../support/mq-polecat.ts';
import { gitRepo, RunnerProcess, waitFor } from './runner-process.ts';
import { refineryLines, Town } from './town.ts';

type Bead = { id: string; status: string; close_reason: string; labels: string[] };
type Mr = { id: string; status: string; target: string; bead_id: string | null; merge_commit: string | null };

/**
 * Integration branches (reference/refinery.md §4.3, §11 scenario 23), with real polecats, gates
 * and git: an epic's children land, verified, on the epic's branch (their polecats start from
 * it, so the second finds the first's work); main stays untouched until the epic lands as one
 * merge request — refused while a child is open — and then gets all of it at once.
 */
describe('integration branches', () => {
  const town = new Town();
  let runner: RunnerProcess;
  let repo = '';
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();
  const show = async (id: string) => (await town.json<Bead[]>('bd', ['show', id]))[0] as Bead;
  const refusal = async (args: string[]) => {
    const r = await town.run('gt', args);
    expect(r.code).not.toBe(0);
    return r.stderr;
  };

  beforeAll(async () => {
    const script = join(mkdtempSync(join(tmpdir(), 'gt-integration-')), 'polecat.sh');
    writeFileSync(script, MQ_POLECAT, { mode: 0o700 });
    // Info: a landing that never comes shows the refinery's lease and attempts (refineryLines).
    await town.up(['--http-port', '0'], { GT_MQ_POLL_S: '1', GT_LOG_LEVEL: 'info' });
    repo = gitRepo();
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al', '--repo', repo, '--command', script]);
    await town.json('gt', ['rig', 'set', 'alpha', '--gate', 'test -d .']);
    runner = await RunnerProcess.start(town, 'alpha');
  }, 90_000);
  afterAll(async () => {
    await runner.stop();
    await town.destroy();
  });

  it('children land on the epic’s branch; the epic lands on main as one, only when they are all done', async () => {
    const epic = (await town.json<Bead>('bd', ['create', 'search', '-t', 'epic', '--rig', 'alpha'])).id;
    const child = async (title: string) =>
      (await town.json<Bead>('bd', ['create', title, '--rig', 'alpha', '--parent', epic])).id;
    const a = await child('A');
    const needA = await child('need-A');
    await town.json('bd', ['dep', 'add', needA, a]);
    expect(await refusal(['mq', 'integration', 'land', epic])).toMatch(/has no integration branch/);

    const branch = `integration/${epic}`;
    const made = await town.json<{ action: string; epic: string; branch: string; created: boolean }>('gt', [
      'mq',
      'integration',
      'create',
      epic,
    ]);
    expect(made).toEqual({ action: 'create', epic, branch, created: true });
    expect(git('rev-parse', branch)).toBe(git('rev-parse', 'main'));
    expect((await show(epic)).labels).toContain(`integration:${branch}`);
    expect(await refusal(['mq', 'integration', 'land', epic])).toMatch(/2 child bead\(s\) of .* still open/);

    await town.json('gt', ['convoy', 'launch', a, needA]);
    for (const id of [a, needA])
      await waitFor(
        async () => (await show(id)).status === 'closed',
        60_000,
        // The service's log too (the refinery's lease and attempts): this timed out under loaded runs.
        () => `${id} never landed: ${runner.output}\nservice:\n${refineryLines(town.serviceOutput)}`,
      );
    // Both landed on the epic's branch (need-A's polecat started from it and found A.txt); main has neither.
    expect(git('log', '--format=%s', branch).split('\n')).toEqual(['need-A', 'A', 'initial']);
    expect(git('log', '--format=%s', 'main')).toBe('initial');
    const children = await town.json<Mr[]>('gt', ['mq', 'list', 'alpha', '--all']);
    expect(children.map((m) => [m.status, m.target])).toEqual([
      ['merged', branch],
      ['merged', branch],
    ]);

    const { mr: landing } = await town.json<{ mr: Mr }>('gt', ['mq', 'integration', 'land', epic]);
    expect(landing).toMatchObject({ target: 'main', bead_id: epic, status: 'queued' });
    await waitFor(
      async () => (await show(epic)).status === 'closed',
      30_000,
      () => JSON.stringify(town.serviceOutput.slice(-2000)),
    );
    expect(git('log', '--format=%s', 'main').split('\n')).toEqual(['need-A', 'A', 'initial']);
    expect((await show(epic)).close_reason).toMatch(new RegExp(`^Merged in ${landing.id} at [0-9a-f]{40}$`));
    expect(git('branch', '--list', branch)).toBe(''); // landed: the branch is done with
  }, 120_000);
});
