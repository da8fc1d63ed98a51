import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rig } from '../../src/domain/rig.ts';
import { gitRepo, waitFor } from './runner-process.ts';
import { Town } from './town.ts';

/**
 * `gt rig set` against a running town: a rig added with `--merge local` (what every rig from
 * before merge queues reads as) is switched to the queue, and the refinery, which reads the rigs
 * on every poll, lands its work on main with no restart. Bad input changes nothing.
 */
describe('gt rig set', () => {
  const town = new Town();
  const dir = mkdtempSync(join(tmpdir(), 'gt-rig-set-'));
  let repo = '';
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args], {
      encoding: 'utf8',
    }).trim();
  /** A branch off main with one commit named after it. */
  const branch = (name: string) => {
    git('branch', name, 'main');
    const tree = join(dir, `wt-${name}`);
    git('worktree', 'add', '-q', tree, name);
    writeFileSync(join(tree, `${name}.txt`), `${name}\n`);
    execFileSync('git', ['-C', tree, 'add', '-A']);
    execFileSync('git', ['-C', tree, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qm', name]);
    git('worktree', 'remove', '--force', tree);
  };
  const rigs = () => town.json<Rig[]>('gt', ['rig', 'list']);

  beforeAll(async () => {
    repo = gitRepo();
    await town.up(['--http-port', '0'], { GT_MQ_POLL_S: '1' });
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al', '--repo', repo, '--merge', 'local']);
    await town.json('gt', ['rig', 'add', 'bare', '--prefix', 'br']); // no repository
  }, 60_000);
  afterAll(async () => {
    await town.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses bad input and changes nothing', async () => {
    const before = await rigs();
    const nothing = await town.run('gt', ['rig', 'set', 'alpha']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/--merge.*--gate.*--gate-timeout.*--merge-style/);
    const noRepo = await town.run('gt', ['rig', 'set', 'bare', '--merge', 'mr', '--gate', 'none']);
    expect(noRepo.code).toBe(1);
    expect(noRepo.stderr).toMatch(/rig bare has no repository.*re-add it with --repo/);
    const badStyle = await town.run('gt', ['rig', 'set', 'alpha', '--merge-style', 'octopus']);
    expect(badStyle.code).toBe(2);
    expect(badStyle.stderr).toContain('--merge-style "octopus"');
    const badGates = await town.run('gt', ['rig', 'set', 'alpha', '--gate', 'none', '--gate', 'npm test']);
    expect(badGates.code).toBe(2);
    expect((await town.run('gt', ['rig', 'set', 'ghost', '--gate', 'none'])).code).toBe(1);
    expect(await rigs()).toEqual(before);
  }, 60_000);

  it('switches a local rig to the merge queue, which then lands its work on main by itself', async () => {
    const [alphaBefore] = await rigs();
    const set = await town.run('gt', ['rig', 'set', 'alpha', '--merge', 'mr', '--gate', 'none']);
    expect(set).toMatchObject({
      code: 0,
      stdout: 'rig alpha: merge mr → main · gates: none (15m) · rebase · batch 4\n',
    });
    const [alpha] = await rigs();
    expect(alpha?.merge_policy).toEqual({ ...alphaBefore?.merge_policy, merge: 'mr', gates: [] });
    expect(alpha?.version).toBe((alphaBefore?.version as number) + 1);

    branch('switched');
    const mr = await town.json<{ id: string }>('gt', ['mq', 'submit', 'switched', '--rig', 'alpha']);
    await waitFor(
      async () => (await town.json<{ status: string }>('gt', ['mq', 'status', mr.id])).status === 'merged',
      30_000,
      () => `${mr.id} never merged: ${town.serviceOutput.slice(-3000)}`,
    );
    expect(git('log', '--format=%s', 'main').split('\n')).toEqual(['switched', 'initial']);
  }, 60_000);

  // The refinery reads its rig afresh at each pass: a retry right after `gt rig set` is verified
  // under the new policy, not the one of its last poll.
  it('gives gates to a rig whose merge requests are held for want of them; a retry then lands', async () => {
    const other = gitRepo();
    await town.json('gt', ['rig', 'add', 'gamma', '--prefix', 'gm', '--repo', other]); // mr, no gates
    const inOther = (...args: string[]) =>
      execFileSync('git', ['-C', other, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args], {
        encoding: 'utf8',
      }).trim();
    inOther('checkout', '-q', '-b', 'ungated');
    inOther('commit', '-q', '--allow-empty', '-m', 'ungated');
    inOther('checkout', '-q', 'main');
    const mr = await town.json<{ id: string }>('gt', ['mq', 'submit', 'ungated', '--rig', 'gamma']);
    const statusIs = (wanted: string) =>
      waitFor(
        async () => (await town.json<{ status: string }>('gt', ['mq', 'status', mr.id])).status === wanted,
        30_000,
        () => `${mr.id} never became ${wanted}: ${town.serviceOutput.slice(-3000)}`,
      );
    await statusIs('held');
    expect((await town.run('gt', ['rig', 'set', 'gamma', '--gate', 'true'])).code).toBe(0);
    await town.json('gt', ['mq', 'retry', mr.id]);
    await statusIs('merged');
    expect(inOther('log', '--format=%s', 'main').split('\n')).toEqual(['ungated', 'initial']);
  }, 60_000);

  it('changes only the fields given', async () => {
    const set = await town.json<Rig>('gt', [
      'rig',
      'set',
      'alpha',
      '--merge-style',
      'squash',
      '--gate-timeout',
      '90s',
    ]);
    expect(set.merge_policy).toEqual({
      merge: 'mr',
      gates: [],
      gate_timeout_s: 90,
      merge_style: 'squash',
      target: 'main',
    });
    const gated = await town.json<Rig>('gt', [
      'rig',
      'set',
      'alpha',
      '--gate',
      'true',
      '--gate',
      'test -d .',
    ]);
    expect(gated.merge_policy).toEqual({
      merge: 'mr',
      gates: ['true', 'test -d .'],
      gate_timeout_s: 90,
      merge_style: 'squash',
      target: 'main',
    });
  }, 60_000);
});
