import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueRow } from '../../src/commands/gt/mq/view.ts';
import type { MergeRequest } from '../../src/domain/merge-request.ts';
import { gitRepo, waitFor } from './runner-process.ts';
import { Town } from './town.ts';

/**
 * The merge queue at speed, in a running service (reference/refinery.md §11, 29–35): a batch of
 * four where the third breaks the tests lands the others and sends the third back, within the
 * bisection budget; a frozen queue lands nothing — a verification under way keeps its verified
 * tree and lands after the thaw without running the gates again; a P4 behind a stream of P1s
 * goes first once it has waited GT_MQ_MAX_WAIT. Each rig's gate counts its runs, refuses a tree
 * holding a file named BAD*, and holds while its "hold" file exists (to line work up).
 */
describe('merge queue batches, freezes and ageing', () => {
  const town = new Town();
  const dir = mkdtempSync(join(tmpdir(), 'gt-mq-batch-'));
  const repos: Record<string, string> = {};
  const hold = (rig: string) => join(dir, `${rig}.hold`);
  const started = (rig: string) => join(dir, `${rig}.started`);
  const runs = (rig: string) => join(dir, `${rig}.runs`);
  const gateRuns = (rig: string) =>
    existsSync(runs(rig)) ? readFileSync(runs(rig), 'utf8').split('\n').length - 1 : 0;
  const gate = (rig: string) =>
    `echo run >> ${runs(rig)}; touch ${started(rig)}; while [ -f ${hold(rig)} ]; do sleep 0.05; done; ! ls BAD* >/dev/null 2>&1`;
  /** Like `gate`, but run n (from 0) holds while `<rig>.hold-<n>` exists and says it started. */
  const numberedGate = (rig: string) =>
    `n=$(cat ${runs(rig)} 2>/dev/null | wc -l); echo run >> ${runs(rig)}; echo $$ > ${started(rig)}-$n; while [ -f ${hold(rig)}-$n ]; do sleep 0.05; done; ! ls BAD* >/dev/null 2>&1`;
  const git = (rig: string, ...args: string[]) =>
    execFileSync('git', ['-C', repos[rig] as string, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args], {
      encoding: 'utf8',
    }).trim();
  /** A branch off main adding `<name>.txt` (and BAD-<name> when `bad`), queued with a bead of `priority`. */
  async function submit(
    rig: string,
    name: string,
    o: { bad?: boolean; priority?: number } = {},
  ): Promise<string> {
    const tree = join(dir, `wt-${rig}-${name}`);
    git(rig, 'worktree', 'add', '-q', '-b', name, tree, 'main');
    writeFileSync(join(tree, `${name}.txt`), `${name}\n`);
    if (o.bad) writeFileSync(join(tree, `BAD-${name}`), 'x\n');
    execFileSync('git', ['-C', tree, 'add', '-A']);
    execFileSync('git', ['-C', tree, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qm', name]);
    git(rig, 'worktree', 'remove', '--force', tree);
    const bead = await town.json<{ id: string }>('bd', [
      'create',
      name,
      '--rig',
      rig,
      '-p',
      String(o.priority ?? 2),
    ]);
    return (await town.json<MergeRequest>('gt', ['mq', 'submit', name, '--bead', bead.id])).id;
  }
  const status = (id: string) => town.json<MergeRequest>('gt', ['mq', 'status', id]);
  const until = (id: string, wanted: string) =>
    waitFor(
      async () => (await status(id)).status === wanted,
      30_000,
      () => `${id} never became ${wanted}: ${town.serviceOutput.slice(-3000)}`,
    );
  const landed = (rig: string) => git(rig, 'log', '--reverse', '--format=%s', 'main').split('\n').slice(1);
  /** Holds the rig's gate and waits until a verification is under way (the queue is lined up). */
  async function pauseWithHolder(rig: string): Promise<string> {
    writeFileSync(hold(rig), '');
    rmSync(started(rig), { force: true });
    const holder = await submit(rig, `${rig}-holder`);
    await waitFor(
      () => existsSync(started(rig)),
      30_000,
      () => town.serviceOutput.slice(-3000),
    );
    return holder;
  }

  beforeAll(async () => {
    await town.up(['--http-port', '0'], { GT_MQ_POLL_S: '1', GT_MQ_MAX_WAIT: '3' });
    for (const [rig, batch, check] of [
      ['alpha', '4', gate('alpha')],
      ['beta', '4', gate('beta')],
      ['gamma', '1', gate('gamma')],
      ['delta', '4', numberedGate('delta')],
    ] as const) {
      repos[rig] = gitRepo();
      const add = ['rig', 'add', rig, '--prefix', rig.slice(0, 2), '--repo', repos[rig] as string];
      await town.json('gt', [...add, '--gate', check, '--batch', batch]);
    }
  }, 60_000);
  afterAll(async () => {
    for (const rig of Object.keys(repos)) rmSync(hold(rig), { force: true });
    await town.destroy();
  });

  it('a batch of four whose third breaks the tests: the others land in order, the third goes back', async () => {
    const holder = await pauseWithHolder('alpha');
    const ids = [
      await submit('alpha', 'one'),
      await submit('alpha', 'two'),
      await submit('alpha', 'three', { bad: true }),
      await submit('alpha', 'four'),
    ];
    rmSync(hold('alpha'));
    for (const id of [holder, ids[0], ids[1], ids[3]]) await until(id as string, 'merged');
    await until(ids[2] as string, 'needs-rework');
    expect(landed('alpha')).toEqual(['alpha-holder', 'one', 'two', 'four']);
    expect((await status(ids[2] as string)).reason).toMatch(/BAD/);
    // holder 1; the batch 1 + ⌈log2 4⌉ = 3 at most; four again, alone: 1.
    expect(gateRuns('alpha')).toBeLessThanOrEqual(5);
    const metrics = await (await fetch(`${town.runtime().http_url}/metrics`)).text();
    const value = (line: RegExp) => Number(line.exec(metrics)?.[1] ?? Number.NaN);
    expect(value(/^gt_mq_gate_runs_total\{rig="alpha"\} (\S+)$/m)).toBe(gateRuns('alpha'));
    expect(value(/^gt_mq_bisection_depth_count (\S+)$/m)).toBeGreaterThanOrEqual(1);
  }, 90_000);

  it('frozen: a verification under way lands nothing; after the thaw it lands without running its gates again', async () => {
    const holder = await pauseWithHolder('beta');
    await town.json('gt', ['mq', 'freeze', 'beta', '-r', 'release 2.0 going out']);
    const rows = await town.json<QueueRow[]>('gt', ['mq', 'list', 'beta']);
    expect(rows[0]?.frozen).toMatchObject({ reason: 'release 2.0 going out' });
    const waiting = await submit('beta', 'waiting');
    rmSync(hold('beta'));
    await waitFor(
      async () => (await status(holder)).reason.startsWith('verified, not landed'),
      30_000,
      () => JSON.stringify(town.serviceOutput.slice(-2000)),
    );
    expect((await status(holder)).status).toBe('queued');
    expect((await status(waiting)).status).toBe('queued');
    expect(landed('beta')).toEqual([]);
    const runsBefore = gateRuns('beta');
    await town.json('gt', ['mq', 'thaw', 'beta']);
    await until(holder, 'merged');
    await until(waiting, 'merged');
    expect(landed('beta')).toEqual(['beta-holder', 'waiting']);
    // The holder's verified tree landed as it was: only `waiting` ran the gate after the thaw.
    expect(gateRuns('beta')).toBe(runsBefore + 1);
  }, 90_000);

  it('a P4 behind a stream of P1s goes first once it has waited GT_MQ_MAX_WAIT', async () => {
    const holder = await pauseWithHolder('gamma');
    const p4 = await submit('gamma', 'patient', { priority: 4 });
    const p1s = [
      await submit('gamma', 'hot-1', { priority: 1 }),
      await submit('gamma', 'hot-2', { priority: 1 }),
    ];
    const position = async () =>
      (await town.json<QueueRow[]>('gt', ['mq', 'list', 'gamma'])).find((r) => r.id === p4)?.position;
    expect(await position()).toBe(3);
    await waitFor(
      async () => (await position()) === 1,
      15_000,
      () => 'the P4 never aged to the front',
    );
    rmSync(hold('gamma'));
    for (const id of [holder, p4, ...p1s]) await until(id, 'merged');
    expect(landed('gamma')).toEqual(['gamma-holder', 'patient', 'hot-1', 'hot-2']);
  }, 90_000);

  it('killed with -9 in the middle of a bisection: after the restart every change lands exactly once', async () => {
    writeFileSync(`${hold('delta')}-0`, ''); // the holder's run
    writeFileSync(`${hold('delta')}-2`, ''); // the bisection's first run (run 1: the whole stack fails)
    const holder = await submit('delta', 'delta-holder');
    await waitFor(
      () => existsSync(`${started('delta')}-0`),
      30_000,
      () => town.serviceOutput.slice(-3000),
    );
    const ids = [
      await submit('delta', 'a'),
      await submit('delta', 'b', { bad: true }),
      await submit('delta', 'c'),
    ];
    rmSync(`${hold('delta')}-0`);
    await waitFor(
      () => existsSync(`${started('delta')}-2`),
      30_000,
      () => town.serviceOutput.slice(-3000),
    );
    const orphan = Number(readFileSync(`${started('delta')}-2`, 'utf8'));
    await town.down('SIGKILL');
    rmSync(`${hold('delta')}-2`);
    await town.up(['--http-port', '0'], { GT_MQ_POLL_S: '1', GT_MQ_MAX_WAIT: '3' });
    await until(ids[2] as string, 'merged');
    await until(ids[1] as string, 'needs-rework');
    expect((await status(holder)).status).toBe('merged');
    expect(landed('delta')).toEqual(['delta-holder', 'a', 'c']);
    // The gate the dead service left in the middle of the bisection was reaped at the restart.
    expect(() => process.kill(orphan, 0)).toThrow();
  }, 120_000);
});
