import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  branchRef,
  deleteBranch,
  deleteRemoteBranch,
  fetchRemote,
  moveBranch,
  pushBranch,
  remoteBranchTip,
} from '../../src/git/refs.ts';
import { resolveCommit } from '../../src/git/repo.ts';
import { GitError, runGit } from '../../src/git/run-git.ts';
import { commit, initRepo, useTempDir } from './git-fixture.ts';

/** Refs move only by compare-and-swap, locally and on a remote (a bare repository stands in). */
describe('git refs', () => {
  const dir = useTempDir();
  const repo = () => join(dir(), 'rig');
  const remote = () => join(dir(), 'remote.git');
  const ZERO = '0'.repeat(40);

  /** main at `old`; two candidate commits `a` and `b` on top of it (on branch `work`). */
  const history = async () => {
    await initRepo(repo());
    const old = await commit(repo(), { 'f.txt': 'old\n' }, 'old');
    await runGit(repo(), ['switch', '--quiet', '-c', 'work']);
    const a = await commit(repo(), { 'f.txt': 'a\n' }, 'a');
    const b = await commit(repo(), { 'f.txt': 'b\n' }, 'b');
    await runGit(repo(), ['switch', '--quiet', 'main']);
    return { old, a, b };
  };

  describe('moveBranch', () => {
    it('moves the branch when it still points at the expected commit', async () => {
      const { old, a } = await history();
      expect(await moveBranch(repo(), 'main', a, old)).toBe(true);
      expect(await resolveCommit(repo(), 'main')).toBe(a);
    });

    it('says false and changes nothing when the branch moved', async () => {
      const { old, a, b } = await history();
      await moveBranch(repo(), 'main', a, old);
      expect(await moveBranch(repo(), 'main', b, old)).toBe(false);
      expect(await resolveCommit(repo(), 'main')).toBe(a);
    });

    it('lets exactly one of two racers with the same expected value win', async () => {
      const { old, a, b } = await history();
      for (let round = 0; round < 3; round++) {
        await runGit(repo(), ['update-ref', 'refs/heads/target', old]);
        const [wonA, wonB] = await Promise.all([
          moveBranch(repo(), 'target', a, old),
          moveBranch(repo(), 'target', b, old),
        ]);
        expect(wonA !== wonB).toBe(true);
        expect(await resolveCommit(repo(), 'target')).toBe(wonA ? a : b);
      }
    });

    it('creates a branch only when it does not exist yet (all-zero expected)', async () => {
      const { a, b } = await history();
      expect(await moveBranch(repo(), 'fresh', a, ZERO)).toBe(true);
      expect(await moveBranch(repo(), 'fresh', b, ZERO)).toBe(false);
      expect(await resolveCommit(repo(), 'fresh')).toBe(a);
    });

    it('throws when git fails for another reason than a moved branch', async () => {
      const { old } = await history();
      await expect(moveBranch(repo(), 'main', 'f'.repeat(40), old)).rejects.toThrow(GitError);
      expect(await resolveCommit(repo(), 'main')).toBe(old);
    });
  });

  describe('pushBranch', () => {
    /** The rig with `origin` = a bare remote whose main is at `old`. */
    const withRemote = async () => {
      const h = await history();
      await initRepo(remote(), { bare: true });
      await runGit(repo(), ['remote', 'add', 'origin', remote()]);
      await runGit(repo(), ['push', '--quiet', 'origin', 'main']);
      return h;
    };
    const remoteMain = () => resolveCommit(remote(), 'main');

    it('pushes when the remote branch is where we expect', async () => {
      const { old, a } = await withRemote();
      expect(await pushBranch(repo(), 'origin', 'main', a, old)).toBe(true);
      expect(await remoteMain()).toBe(a);
      expect(await remoteBranchTip(repo(), 'origin', 'main')).toBe(a);
    });

    it('says false and leaves the remote alone when the remote branch moved', async () => {
      const { old, a, b } = await withRemote();
      await pushBranch(repo(), 'origin', 'main', a, old); // someone else landed first
      expect(await pushBranch(repo(), 'origin', 'main', b, old)).toBe(false);
      expect(await remoteMain()).toBe(a);
    });

    it('creates a branch with an empty expected value, once', async () => {
      const { a, b } = await withRemote();
      expect(await pushBranch(repo(), 'origin', 'polecat/nux/gt-1', a, '')).toBe(true);
      expect(await pushBranch(repo(), 'origin', 'polecat/nux/gt-1', b, '')).toBe(false);
      expect(await remoteBranchTip(repo(), 'origin', 'polecat/nux/gt-1')).toBe(a);
    });

    it('throws a GitError naming the refusal when the remote declines (branch protection)', async () => {
      const { old, a } = await withRemote();
      const hook = join(remote(), 'hooks', 'pre-receive');
      writeFileSync(hook, '#!/bin/sh\necho "main is protected" >&2\nexit 1\n');
      chmodSync(hook, 0o755);
      const e = (await pushBranch(repo(), 'origin', 'main', a, old).catch((x: unknown) => x)) as GitError;
      expect(e).toBeInstanceOf(GitError);
      expect(e.stderr).toContain('main is protected');
      expect(e.message).toContain('refs/heads/main [remote rejected] (pre-receive hook declined)');
      expect(await remoteMain()).toBe(old);
    });

    it('throws when the remote cannot be reached', async () => {
      const { old, a } = await withRemote();
      await runGit(repo(), ['remote', 'set-url', 'origin', join(dir(), 'gone.git')]);
      await expect(pushBranch(repo(), 'origin', 'main', a, old)).rejects.toThrow(/gone\.git/);
    });

    it('fetchRemote prunes branches deleted on the remote; deleteRemoteBranch is idempotent', async () => {
      const { a } = await withRemote();
      await pushBranch(repo(), 'origin', 'polecat/nux/gt-1', a, '');
      await fetchRemote(repo(), 'origin');
      expect(await resolveCommit(repo(), 'refs/remotes/origin/polecat/nux/gt-1')).toBe(a);
      await deleteRemoteBranch(repo(), 'origin', 'polecat/nux/gt-1');
      await deleteRemoteBranch(repo(), 'origin', 'polecat/nux/gt-1');
      expect(await remoteBranchTip(repo(), 'origin', 'polecat/nux/gt-1')).toBeNull();
      await fetchRemote(repo(), 'origin');
      expect(await resolveCommit(repo(), 'refs/remotes/origin/polecat/nux/gt-1')).toBeNull();
    });
  });

  describe('deleteBranch', () => {
    it('deletes a local branch, and says nothing when it is already gone', async () => {
      await history();
      await deleteBranch(repo(), 'work');
      expect(await resolveCommit(repo(), 'work')).toBeNull();
      await deleteBranch(repo(), 'work');
    });

    it('refuses while a worktree has the branch checked out (a polecat at work)', async () => {
      await history();
      await runGit(repo(), ['worktree', 'add', '--quiet', join(dir(), 'polecat'), 'work']);
      await expect(deleteBranch(repo(), 'work')).rejects.toThrow(/checked out/);
      expect(await resolveCommit(repo(), 'work')).not.toBeNull();
    });
  });

  it('never hands git a branch name it would read as an option or a full ref', () => {
    expect(branchRef('polecat/nux/gt-1')).toBe('refs/heads/polecat/nux/gt-1');
    for (const bad of ['', '--force', '-d', 'refs/heads/main'])
      expect(() => branchRef(bad)).toThrow(/invalid branch/);
  });
});
