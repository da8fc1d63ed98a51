import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MQ_POLECAT } from '../support/mq-polecat.ts';
import { RunnerProcess, waitFor } from './runner-process.ts';
import { Town } from './town.ts';

type Bead = { id: string; close_reason: string };

/**
 * A rig whose repository has a remote `origin` — what teams use; a bare repository stands in
 * for it (real git, no network). Polecats push their branch in `gt done`; the refinery fetches,
 * verifies, lands with a push with lease on the target's old value, and brings the clone's own
 * main along, so the next polecat starts from what just landed.
 */
describe('the merge queue with a remote repository', () => {
  const town = new Town();
  const dir = mkdtempSync(join(tmpdir(), 'gt-mq-remote-'));
  const origin = join(dir, 'origin.git');
  const clone = join(dir, 'clone');
  let runner: RunnerProcess;
  const git = (repo: string, ...args: string[]) =>
    execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args], {
      encoding: 'utf8',
    }).trim();

  beforeAll(async () => {
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', origin]);
    execFileSync('git', ['clone', '-q', origin, clone]);
    git(clone, 'commit', '-q', '--allow-empty', '-m', 'initial');
    git(clone, 'push', '-q', 'origin', 'main');
    const script = join(dir, 'polecat.sh');
    writeFileSync(script, MQ_POLECAT, { mode: 0o700 });
    await town.up(['--http-port', '0'], { GT_MQ_POLL_S: '1' });
    await town.json('gt', [
      'rig',
      'add',
      'far',
      '--prefix',
      'far',
      '--repo',
      clone,
      '--command',
      script,
      '--gate',
      'test -f A.txt',
    ]);
    runner = await RunnerProcess.start(town, 'far');
  }, 60_000);
  afterAll(async () => {
    await runner?.stop();
    await town.destroy();
  });

  it('lands a chain on the remote’s main through pushes with lease', async () => {
    const a = (await town.json<Bead>('bd', ['create', 'A', '--rig', 'far'])).id;
    const b = (await town.json<Bead>('bd', ['create', 'need-A', '--rig', 'far'])).id;
    await town.json('bd', ['dep', 'add', b, a]);
    const { convoy_id } = await town.json<{ convoy_id: string }>('gt', ['convoy', 'launch', a, b]);
    await waitFor(
      async () =>
        (await town.json<{ status: string }>('gt', ['convoy', 'status', convoy_id])).status === 'closed',
      60_000,
      () => runner.output,
    );
    expect(git(origin, 'log', '--format=%s', 'main').split('\n')).toEqual(['need-A', 'A', 'initial']);
    expect(git(origin, 'branch', '--list', 'polecat/*')).toBe(''); // merged branches deleted on the remote
    expect(git(clone, 'rev-parse', 'main')).toBe(git(origin, 'rev-parse', 'main'));
    for (const id of [a, b])
      expect((await town.json<Bead[]>('bd', ['show', id]))[0]?.close_reason).toMatch(/^Merged in far-mr-/);
  }, 90_000);

  it('a remote that refuses the push (branch protection) holds the MR once, saying why; retried, it lands', async () => {
    const hook = join(origin, 'hooks', 'pre-receive');
    writeFileSync(
      hook,
      '#!/bin/sh\nwhile read old new ref; do [ "$ref" = refs/heads/main ] && { echo "main is protected" >&2; exit 1; }; done\nexit 0\n',
      { mode: 0o700 },
    );
    git(clone, 'checkout', '-q', '-b', 'guarded', 'main');
    writeFileSync(join(clone, 'A.txt'), 'guarded\n');
    git(clone, 'commit', '-qam', 'guarded');
    git(clone, 'push', '-q', 'origin', 'guarded'); // the hook guards main only
    git(clone, 'checkout', '-q', 'main');
    const id = (await town.json<{ id: string }>('gt', ['mq', 'submit', 'guarded', '--rig', 'far'])).id;
    const status = () => town.json<{ status: string; reason: string }>('gt', ['mq', 'status', id]);
    await waitFor(
      async () => (await status()).status === 'held',
      30_000,
      () => town.serviceOutput.slice(-2000),
    );
    expect((await status()).reason).toMatch(/main is protected/);
    const escalations = await town.json<Array<{ kind: string }>>('gt', ['escalation', 'list']);
    expect(escalations.filter((e) => e.kind === 'merge-failed')).toHaveLength(1);
    writeFileSync(hook, '#!/bin/sh\nexit 0\n', { mode: 0o700 });
    await town.json('gt', ['mq', 'retry', id]);
    await waitFor(
      async () => (await status()).status === 'merged',
      30_000,
      () => town.serviceOutput.slice(-2000),
    );
    expect(git(origin, 'log', '-1', '--format=%s', 'main')).toBe('guarded');
  }, 90_000);

  it('a push the remote reports as done but does not keep is never recorded as landed', async () => {
    // A post-receive hook that puts main back where it was: the push "succeeds", main does not move.
    const hook = join(origin, 'hooks', 'post-receive');
    writeFileSync(
      hook,
      '#!/bin/sh\nwhile read old new ref; do [ "$ref" = refs/heads/main ] && git update-ref refs/heads/main "$old"; done\nexit 0\n',
      { mode: 0o700 },
    );
    git(clone, 'checkout', '-q', '-b', 'vanishing', 'main');
    writeFileSync(join(clone, 'A.txt'), 'vanishing\n');
    git(clone, 'commit', '-qam', 'vanishing');
    git(clone, 'push', '-q', 'origin', 'vanishing');
    git(clone, 'checkout', '-q', 'main');
    const before = git(origin, 'rev-parse', 'main');
    const id = (await town.json<{ id: string }>('gt', ['mq', 'submit', 'vanishing', '--rig', 'far'])).id;
    const status = () => town.json<{ status: string; reason: string }>('gt', ['mq', 'status', id]);
    await waitFor(
      async () => (await status()).status === 'held',
      30_000,
      () => town.serviceOutput.slice(-2000),
    );
    expect((await status()).reason).toMatch(/main kept moving while this was verified/);
    expect(git(origin, 'rev-parse', 'main')).toBe(before);
    rmSync(hook);
  }, 90_000);
});
