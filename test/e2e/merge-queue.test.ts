import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MQ_POLECAT as POLECAT } from '../support/mq-polecat.ts';
import { gitRepo, RunnerProcess, waitFor } from './runner-process.ts';
import { refineryLines, Town } from './town.ts';

type Bead = { id: string; status: string; close_reason: string; labels: string[] };
type Row = { id: string; rig: string; bead: string | null; status: string; reason: string; attempts: number };
type Mr = Row & { gates: Array<{ timed_out: boolean; exit: number | null; excerpt: string }> };

describe('the merge queue lands polecats’ work on main', () => {
  const town = new Town();
  const runners: RunnerProcess[] = [];
  const repos: Record<string, string> = {};
  const script = join(mkdtempSync(join(tmpdir(), 'gt-mq-')), 'polecat.sh');
  const git = (rig: string, ...args: string[]) =>
    execFileSync('git', ['-C', repos[rig] as string, ...args], { encoding: 'utf8' }).trim();
  const show = async (id: string) => (await town.json<Bead[]>('bd', ['show', id]))[0] as Bead;
  const create = async (title: string, rig: string) =>
    (await town.json<Bead>('bd', ['create', title, '--rig', rig])).id;
  const landed = (convoy: string, ms = 60_000) =>
    waitFor(
      async () =>
        (await town.json<{ status: string }>('gt', ['convoy', 'status', convoy])).status === 'closed',
      ms,
      // The runners' side, then the service's (the refinery's attempts are logged there).
      () =>
        `convoy ${convoy} never landed:\n${runners.map((r) => r.output).join('\n')}\n--- service:\n${refineryLines(town.serviceOutput)}`,
    );

  beforeAll(async () => {
    writeFileSync(script, POLECAT, { mode: 0o700 });
    // Info: a landing that never comes shows the refinery's lease and attempts (refineryLines).
    await town.up(['--http-port', '0'], {
      GT_MQ_POLL_S: '1',
      GT_MAX_MERGE_ATTEMPTS: '2',
      GT_LOG_LEVEL: 'info',
    });
    const rigs: Record<string, string[]> = {
      alpha: ['--gate', 'test -d .'],
      beta: ['--gate', 'test ! -f bad.txt'],
      // Hangs on the work only: main alone passes it, so the hang is the work's to fix.
      gamma: ['--gate', 'test ! -f hang.txt || sleep 613', '--gate-timeout', '2s'],
      delta: [],
    };
    for (const [rig, gates] of Object.entries(rigs)) {
      repos[rig] = gitRepo();
      await town.json('gt', [
        'rig',
        'add',
        rig,
        '--prefix',
        rig.slice(0, 2),
        '--repo',
        repos[rig] as string,
        '--command',
        script,
        '--max-polecats',
        '2',
        ...gates,
      ]);
      runners.push(await RunnerProcess.start(town, rig));
    }
  }, 90_000);
  afterAll(async () => {
    for (const r of runners) await r.stop();
    await town.destroy();
  });

  it('a chain lands in order: the second polecat starts from a main holding the first’s work', async () => {
    const a = await create('A', 'alpha');
    const b = await create('need-A', 'alpha');
    await town.json('bd', ['dep', 'add', b, a]);
    const { convoy_id } = await town.json<{ convoy_id: string }>('gt', ['convoy', 'launch', a, b]);
    await landed(convoy_id);
    for (const id of [a, b])
      expect((await show(id)).close_reason).toMatch(/^Merged in al-mr-\w+ at [0-9a-f]{40}$/);
    expect(git('alpha', 'log', '--format=%s', 'main')).toMatch(/need-A[\s\S]*\bA\b/);
    expect(git('alpha', 'show', 'main:A.txt')).toBe('A');
    // Merged branches are deleted (one still checked out in an exiting polecat's worktree, a moment later).
    await waitFor(
      () => git('alpha', 'branch', '--list', 'polecat/*') === '',
      10_000,
      () => git('alpha', 'branch'),
    );
    expect(git('alpha', 'status', '--porcelain')).toBe(''); // the checked-out main followed
    expect(await town.json<Row[]>('gt', ['mq', 'list', 'alpha'])).toEqual([]);
  }, 90_000);

  it('two changes to the same lines: the second is sent back with the conflict, reworked, then lands', async () => {
    const one = await create('same-1', 'alpha');
    const two = await create('same-2', 'alpha');
    const { convoy_id } = await town.json<{ convoy_id: string }>('gt', ['convoy', 'launch', one, two]);
    await landed(convoy_id, 90_000);
    for (const id of [one, two]) expect((await show(id)).close_reason).toMatch(/^Merged in al-mr-/);
    const history = await town.json<Row[]>('gt', ['mq', 'list', 'alpha', '--all']);
    const of = (bead: string) =>
      history
        .filter((r) => r.bead === bead)
        .map((r) => r.status)
        .sort();
    // One landed at once; the other was sent back with the conflicting file, resubmitted, landed.
    expect([of(one), of(two)].sort()).toEqual([['merged'], ['merged', 'superseded']]);
    const sentBack = history.find((r) => r.status === 'superseded');
    expect(sentBack?.reason).toMatch(/superseded by al-mr-/);
    // The rework went back to the polecat that did the work (it was free again).
    const attempts = history.filter((r) => r.bead === sentBack?.bead);
    const polecats = await Promise.all(
      attempts.map(async (r) => (await town.json<{ polecat: string }>('gt', ['mq', 'status', r.id])).polecat),
    );
    expect(new Set(polecats).size).toBe(1);
    const audit = await town.json<
      Array<{ actor: string; verb: string; args: { id?: string; text?: string } }>
    >('gt', ['audit', '--limit', '500']);
    expect(audit).toContainEqual(
      expect.objectContaining({
        actor: 'refinery',
        verb: 'bd comment',
        args: {
          id: sentBack?.bead,
          text: expect.stringMatching(/needs rework: conflicts with main in: shared\.txt/),
        },
      }),
    );
    expect(['same-1', 'same-2']).toContain(git('alpha', 'show', 'main:shared.txt'));
  }, 120_000);

  it('a failing gate sends the work back with the gate’s output; the rework passes and lands', async () => {
    const bad = await create('bad-1', 'beta');
    const { convoy_id } = await town.json<{ convoy_id: string }>('gt', ['convoy', 'launch', bad]);
    await landed(convoy_id);
    expect(git('beta', 'ls-tree', '--name-only', 'main')).not.toContain('bad.txt');
    expect(git('beta', 'show', 'main:bad-1.txt')).toBe('bad-1');
  }, 90_000);

  it('a gate that hangs is killed at its timeout and fails closed; out of attempts, a person decides', async () => {
    const hang = await create('hang', 'gamma');
    await town.json('gt', ['convoy', 'launch', hang]);
    let held: Row | undefined;
    await waitFor(
      async () => {
        held = (await town.json<Row[]>('gt', ['mq', 'list', 'gamma'])).find((r) => r.status === 'held');
        return held !== undefined;
      },
      90_000,
      () => runners.map((r) => r.output).join('\n'),
    );
    const mr = await town.json<Mr>('gt', ['mq', 'status', (held as Row).id]);
    expect(mr.reason).toMatch(/\(2 attempts: a person decides now\)/);
    expect(mr.gates.at(-1)).toMatchObject({ timed_out: true, exit: null });
    expect(git('gamma', 'log', '--format=%s', 'main')).not.toContain('hang');
    expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toMatch(/^sleep 613$/m);
    type Escalation = { id: string; kind: string; bead_id: string | null; proposed_actions: string[] };
    const escalations = await town.json<Escalation[]>('gt', ['escalation', 'list']);
    const escalation = escalations.find((e) => e.kind === 'merge-failed' && e.bead_id === hang) as Escalation;
    expect(escalation.proposed_actions).toEqual([
      'merge:retry',
      'merge:rework',
      'merge:reject',
      'merge:land-anyway',
    ]);
    expect((await show(hang)).status).not.toBe('closed');
    // A person decides on the escalation (a button on its card does the same): the merge is refused
    // for good and the bead goes back to the queue, its branch never on main.
    await town.json('gt', ['escalation', 'resolve', escalation.id, '--action', 'merge:reject']);
    expect((await town.json<Mr>('gt', ['mq', 'status', (held as Row).id])).status).toBe('rejected');
    expect(await show(hang)).toMatchObject({ status: 'open', labels: [] });
  }, 120_000);

  it('a rig with no gate policy lands nothing: the merge request is held, saying what to set', async () => {
    const work = await create('unguarded', 'delta');
    await town.json('gt', ['convoy', 'launch', work]);
    let row: Row | undefined;
    await waitFor(
      async () => {
        row = (await town.json<Row[]>('gt', ['mq', 'list', 'delta']))[0];
        return row?.status === 'held';
      },
      60_000,
      () => JSON.stringify(row),
    );
    expect(row?.reason).toMatch(/no gate policy: set gates .* or --gate none/);
    expect(git('delta', 'log', '--format=%s', 'main')).not.toContain('unguarded');
    expect((await show(work)).labels).toContain('gt:merging');
  }, 90_000);
});
