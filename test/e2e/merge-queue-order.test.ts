import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueRow } from '../../src/commands/gt/mq/view.ts';
import type { MergeRequest } from '../../src/domain/merge-request.ts';
import { gitRepo, waitFor } from './runner-process.ts';
import { Town } from './town.ts';

/**
 * The order a merge queue takes its work in, and the walls between rigs (reference/refinery.md
 * §11, scenarios 2–4). Each rig's gate waits for a file of its own: while it waits, the MR
 * being verified (the "holder") freezes that rig's queue, and whatever is submitted meanwhile
 * lines up behind it.
 */
describe('merge queue order and rig isolation', () => {
  const town = new Town();
  const dir = mkdtempSync(join(tmpdir(), 'gt-mq-order-'));
  /** One rig of the town: its repository and the files its gate waits on and leaves. */
  type RigUnderTest = { name: string; repo: string; go: string; pid: string };
  const rigOf = (name: string): RigUnderTest => ({
    name,
    repo: '',
    go: join(dir, `${name}.go`),
    pid: join(dir, `${name}.pid`),
  });
  const alpha = rigOf('alpha');
  const beta = rigOf('beta');

  const git = (rig: RigUnderTest, ...args: string[]) =>
    execFileSync('git', ['-C', rig.repo, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args], {
      encoding: 'utf8',
    }).trim();
  /** A branch off main with one commit, subject `name`, writing `<name>.txt`. */
  const branch = (rig: RigUnderTest, name: string) => {
    git(rig, 'branch', name, 'main');
    const tree = join(dir, `wt-${rig.name}-${name}`);
    git(rig, 'worktree', 'add', '-q', tree, name);
    writeFileSync(join(tree, `${name}.txt`), `${name}\n`);
    execFileSync('git', ['-C', tree, 'add', '-A']);
    execFileSync('git', ['-C', tree, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qm', name]);
    git(rig, 'worktree', 'remove', '--force', tree);
  };
  /** Subjects on main, oldest first. */
  const landed = (rig: RigUnderTest) => git(rig, 'log', '--reverse', '--format=%s', 'main').split('\n');
  const bead = async (rig: RigUnderTest, title: string, priority: number) =>
    (await town.json<{ id: string }>('bd', ['create', title, '--rig', rig.name, '-p', String(priority)])).id;
  /** Branch `name` (made here) queued for `beadId`, or without a bead. */
  const submit = async (rig: RigUnderTest, name: string, beadId?: string) => {
    branch(rig, name);
    const extra = beadId ? ['--bead', beadId] : [];
    return (await town.json<MergeRequest>('gt', ['mq', 'submit', name, '--rig', rig.name, ...extra])).id;
  };
  const status = (id: string) => town.json<MergeRequest>('gt', ['mq', 'status', id]);
  const until = (id: string, wanted: string) =>
    waitFor(
      async () => (await status(id)).status === wanted,
      30_000,
      () => `${id} never became ${wanted}: ${town.serviceOutput.slice(-3000)}`,
    );
  const block = (rig: RigUnderTest) => {
    rmSync(rig.go, { force: true });
    rmSync(rig.pid, { force: true });
  };
  const release = (rig: RigUnderTest) => writeFileSync(rig.go, '');
  /** The rig's gate is running (it wrote its pid): its queue is frozen mid-verification. */
  const gateRunning = (rig: RigUnderTest) =>
    waitFor(
      () => existsSync(rig.pid),
      30_000,
      () => `the gate of ${rig.name} never started: ${town.serviceOutput.slice(-3000)}`,
    );

  beforeAll(async () => {
    await town.up(['--http-port', '0'], { GT_MQ_POLL_S: '1' });
    for (const [rig, prefix] of [
      [alpha, 'al'],
      [beta, 'be'],
    ] as const) {
      rig.repo = gitRepo();
      const gate = `echo $$ > ${rig.pid}; while [ ! -f ${rig.go} ]; do sleep 0.1; done`;
      await town.json('gt', [
        'rig',
        'add',
        rig.name,
        '--prefix',
        prefix,
        '--repo',
        rig.repo,
        '--gate',
        gate,
        '--gate-timeout',
        '60s',
      ]);
    }
  }, 60_000);
  afterAll(async () => {
    release(alpha);
    release(beta);
    await town.destroy();
    for (const rig of [alpha, beta]) rmSync(rig.repo, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes the highest priority first, and among equals the oldest submission', async () => {
    block(alpha);
    const holder = await submit(alpha, 'holder');
    await gateRunning(alpha);
    // Submitted in this order while the holder blocks the queue: old P3, P1, new P3.
    const oldP3 = await submit(alpha, 'old-p3', await bead(alpha, 'old low', 3));
    const p1 = await submit(alpha, 'p1', await bead(alpha, 'urgent', 1));
    const newP3 = await submit(alpha, 'new-p3', await bead(alpha, 'new low', 3));
    expect((await status(p1)).priority).toBe(1);
    expect((await status(oldP3)).priority).toBe(3);

    const waiting = await town.json<QueueRow[]>('gt', ['mq', 'list', 'alpha']);
    expect(waiting.map((r) => [r.id, r.status, r.position])).toEqual([
      [holder, 'verifying', null],
      [p1, 'queued', 1],
      [oldP3, 'queued', 2],
      [newP3, 'queued', 3],
    ]);

    release(alpha);
    for (const id of [holder, p1, oldP3, newP3]) await until(id, 'merged');
    expect(landed(alpha)).toEqual(['initial', 'holder', 'p1', 'old-p3', 'new-p3']);
  }, 90_000);

  it('passes by work whose bead is blocked by an open bead, and lands it once the blocker closes', async () => {
    release(alpha);
    const blocker = await bead(alpha, 'the blocker', 2);
    const waiting = await bead(alpha, 'waits on it', 0);
    await town.json('bd', ['dep', 'add', waiting, blocker]);
    const blockedMr = await submit(alpha, 'needs-blocker', waiting);
    const later = await submit(alpha, 'unblocked', await bead(alpha, 'free', 4));
    await until(later, 'merged');
    expect((await status(blockedMr)).status).toBe('queued');
    expect(landed(alpha)).not.toContain('needs-blocker');
    await town.json('bd', ['close', blocker]);
    await until(blockedMr, 'merged');
    expect(landed(alpha).slice(-2)).toEqual(['unblocked', 'needs-blocker']);
  }, 90_000);

  it("runs one rig's queue without touching another rig's merge requests", async () => {
    release(alpha);
    block(beta);
    const betaHolder = await submit(beta, 'beta-holder');
    await gateRunning(beta);
    const betaQueued = await submit(beta, 'beta-next', await bead(beta, 'beta work', 0));
    const frozen = [await status(betaHolder), await status(betaQueued)];
    expect(frozen.map((mr) => mr.status)).toEqual(['verifying', 'queued']);

    // P4s in alpha, behind a P0 of beta's in the same store: alpha's queue takes only its own.
    const alphaIds = [
      await submit(alpha, 'alpha-one', await bead(alpha, 'alpha one', 4)),
      await submit(alpha, 'alpha-two', await bead(alpha, 'alpha two', 4)),
    ];
    for (const id of alphaIds) await until(id, 'merged');
    expect(landed(alpha).slice(-2)).toEqual(['alpha-one', 'alpha-two']);
    // Nothing about beta's two moved: not a status, not a version, not a timestamp.
    for (const before of frozen) {
      const now = await status(before.id);
      expect(now).toEqual(before);
    }
    expect(landed(beta)).toEqual(['initial']);

    release(beta);
    await until(betaHolder, 'merged');
    await until(betaQueued, 'merged');
    expect(landed(beta)).toEqual(['initial', 'beta-holder', 'beta-next']);
    expect(landed(alpha).join(' ')).not.toMatch(/beta/);
    // The merge commit beta recorded is in beta's repository and never in alpha's.
    const { merge_commit } = await status(betaQueued);
    expect(git(beta, 'rev-parse', 'main')).toBe(merge_commit);
    const inAlpha = () =>
      execFileSync('git', ['-C', alpha.repo, 'cat-file', '-e', `${merge_commit}^{commit}`], {
        stdio: 'ignore',
      });
    expect(inAlpha).toThrow();
  }, 90_000);
});
