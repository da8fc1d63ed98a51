import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitRepo, waitFor } from './runner-process.ts';
import { Town } from './town.ts';

type Row = { id: string; bead: string | null; status: string; reason: string };

/**
 * The refinery against what git and people do to a queue: branches moved or deleted after
 * submission, the target moving during verification, a bead closed by hand, the service killed
 * in the middle of a gate. Work is submitted by hand (`gt mq submit`); a gate that waits for a
 * file lets each test freeze the queue in the middle of a verification.
 */
describe('merge queue edge cases', () => {
  const town = new Town();
  const dir = mkdtempSync(join(tmpdir(), 'gt-mq-edges-'));
  const go = join(dir, 'go');
  const gatePid = join(dir, 'gate.pid');
  let repo = '';
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args], {
      encoding: 'utf8',
    }).trim();
  /** A branch off main with one commit writing `file`. */
  const branch = (name: string, file = `${name}.txt`) => {
    git('branch', name, 'main');
    const tree = join(dir, `wt-${name}`);
    git('worktree', 'add', '-q', tree, name);
    writeFileSync(join(tree, file), `${name}\n`);
    execFileSync('git', ['-C', tree, 'add', '-A']);
    execFileSync('git', ['-C', tree, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qm', name]);
    git('worktree', 'remove', '--force', tree);
    return git('rev-parse', name);
  };
  const submit = async (name: string, bead?: string) =>
    (await town.json<Row>('gt', ['mq', 'submit', name, '--rig', 'alpha', ...(bead ? ['--bead', bead] : [])]))
      .id;
  const status = async (id: string) => town.json<Row>('gt', ['mq', 'status', id]);
  const until = (id: string, wanted: string) =>
    waitFor(
      async () => (await status(id)).status === wanted,
      30_000,
      () => `${id} never became ${wanted}: ${town.serviceOutput.slice(-3000)}`,
    );
  /** The gate is running (it wrote its pid): the queue is frozen in the middle of a verification. */
  const gateRunning = () =>
    waitFor(
      () => existsSync(gatePid),
      30_000,
      () => 'the gate never started',
    );
  const block = () => {
    rmSync(go, { force: true });
    rmSync(gatePid, { force: true });
  };
  const release = () => writeFileSync(go, '');

  beforeAll(async () => {
    repo = gitRepo();
    await town.up(['--http-port', '0'], { GT_MQ_POLL_S: '1' });
    const gate = `echo $$ > ${gatePid}; while [ ! -f ${go} ]; do sleep 0.1; done`;
    await town.json('gt', [
      'rig',
      'add',
      'alpha',
      '--prefix',
      'al',
      '--repo',
      repo,
      '--gate',
      gate,
      '--gate-timeout',
      '60s',
    ]);
  }, 60_000);
  afterAll(async () => {
    release();
    await town.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a branch moved after submission is refused as stale; a deleted one is held as possible lost work', async () => {
    block();
    for (const name of ['first', 'stale', 'lost']) branch(name);
    const first = await submit('first');
    await gateRunning();
    const stale = await submit('stale');
    const lost = await submit('lost');
    branch('moved-on');
    git('branch', '-f', 'stale', 'moved-on'); // a force-push of another commit
    git('branch', '-D', 'lost');
    release();
    await until(first, 'merged');
    await until(stale, 'needs-rework');
    await until(lost, 'held');
    expect((await status(stale)).reason).toMatch(/stale: stale moved from the submitted \w+ to \w+/);
    expect((await status(lost)).reason).toMatch(/branch lost no longer exists: its work may be lost/);
    const landed = git('log', '--format=%s', 'main');
    expect(landed).toContain('first');
    expect(landed).not.toMatch(/moved-on|stale|lost/);
  }, 60_000);

  it('the target moving during verification is never merged blind: verified again on the new tip', async () => {
    block();
    branch('racer');
    const mr = await submit('racer');
    await gateRunning();
    branch('direct');
    git('merge', '--ff-only', '-q', 'direct'); // someone lands straight on main meanwhile
    rmSync(gatePid);
    release();
    await until(mr, 'merged');
    const merged = await status(mr);
    expect(git('log', '--format=%s', 'main').split('\n').slice(0, 2).sort()).toEqual(['direct', 'racer']);
    expect(git('rev-parse', 'main')).toBe((merged as unknown as { merge_commit: string }).merge_commit);
  }, 60_000);

  it('work merged by hand while it was verified is recorded as landed, never landed twice', async () => {
    block();
    branch('handmade');
    const mr = await submit('handmade');
    await gateRunning();
    git('merge', '--ff-only', '-q', 'handmade');
    release();
    await until(mr, 'merged');
    expect(
      git('log', '--format=%s', 'main')
        .split('\n')
        .filter((s) => s === 'handmade'),
    ).toHaveLength(1);
  }, 60_000);

  it('a bead closed by hand while its merge request waits cancels it, saying why', async () => {
    block();
    branch('holder');
    const holder = await submit('holder');
    await gateRunning();
    const bead = (await town.json<{ id: string }>('bd', ['create', 'closed by hand', '--rig', 'alpha'])).id;
    branch('for-bead');
    const mr = await submit('for-bead', bead);
    await town.json('bd', ['close', bead, '-r', 'not needed']);
    release();
    await until(holder, 'merged');
    await until(mr, 'cancelled');
    expect((await status(mr)).reason).toMatch(new RegExp(`bead ${bead} was closed by hand`));
    expect(git('log', '--format=%s', 'main')).not.toContain('for-bead');
  }, 60_000);

  it('killed in the middle of a gate: the orphaned gate is reaped, the work lands exactly once after restart', async () => {
    block();
    branch('survivor');
    const mr = await submit('survivor');
    await gateRunning();
    const orphan = Number(readFileSync(gatePid, 'utf8'));
    await town.down('SIGKILL');
    rmSync(gatePid);
    await town.up(['--http-port', '0'], { GT_MQ_POLL_S: '1' });
    // The gate the dead service left behind is killed before verification starts again.
    await waitFor(
      () => !alive(orphan),
      30_000,
      () => `gate ${orphan} still runs`,
    );
    await gateRunning();
    release();
    await until(mr, 'merged');
    expect(
      git('log', '--format=%s', 'main')
        .split('\n')
        .filter((s) => s === 'survivor'),
    ).toHaveLength(1);
  }, 90_000);

  it('a gate that cannot run fails closed, naming it, held for the rig (not the work); a missing target branch is held, saying so', async () => {
    const other = gitRepo();
    await town.json('gt', [
      'rig',
      'add',
      'beta',
      '--prefix',
      'be',
      '--repo',
      other,
      '--gate',
      'no-such-tool --check',
    ]);
    const run = (...args: string[]) =>
      execFileSync('git', ['-C', other, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args], {
        encoding: 'utf8',
      });
    run('checkout', '-q', '-b', 'tooling');
    run('commit', '-q', '--allow-empty', '-m', 'tooling');
    run('checkout', '-q', 'main');
    const mr = (await town.json<Row>('gt', ['mq', 'submit', 'tooling', '--rig', 'beta'])).id;
    await until(mr, 'held');
    const failed = await town.json<{
      reason: string;
      gates: Array<{ exit: number | null; excerpt: string }>;
    }>('gt', ['mq', 'status', mr]);
    expect(failed.gates.at(-1)).toMatchObject({
      exit: 127,
      excerpt: expect.stringContaining('no-such-tool'),
    });
    expect(failed.reason).toMatch(/could not run: that is the rig's setup, not this work/);
    // The target disappears (renamed) under a merge request: held, saying so, never landed elsewhere.
    run('branch', '-m', 'main', 'trunk');
    await town.json('gt', ['mq', 'retry', mr]);
    await until(mr, 'held');
    expect((await status(mr)).reason).toMatch(/the target branch main does not exist/);
  }, 60_000);
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z');
  } catch {
    return false;
  }
}
