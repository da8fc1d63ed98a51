import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkedOutAt,
  commitsBetween,
  defaultBranch,
  hasRemote,
  isAncestor,
  isGitRepo,
  mergeBase,
  resolveCommit,
} from '../../src/git/repo.ts';
import { GitError, runGit } from '../../src/git/run-git.ts';
import { commit, initRepo, useTempDir } from './git-fixture.ts';

/** Facts about a repository, read from real ones. */
describe('git repository facts', () => {
  const dir = useTempDir();
  const repo = () => join(dir(), 'rig');

  describe('isGitRepo', () => {
    it('is true for a work tree and for a bare repository', async () => {
      await initRepo(repo());
      await initRepo(join(dir(), 'remote.git'), { bare: true });
      expect(await isGitRepo(repo())).toBe(true);
      expect(await isGitRepo(join(dir(), 'remote.git'))).toBe(true);
    });

    it('is false for a plain directory, a folder inside a repository, and a missing path', async () => {
      mkdirSync(join(dir(), 'plain'));
      await initRepo(repo());
      mkdirSync(join(repo(), 'src'));
      expect(await isGitRepo(join(dir(), 'plain'))).toBe(false);
      expect(await isGitRepo(join(repo(), 'src'))).toBe(false);
      expect(await isGitRepo(join(dir(), 'missing'))).toBe(false);
    });
  });

  describe('resolveCommit', () => {
    it('gives the full SHA of a branch, and null for a branch that does not exist', async () => {
      await initRepo(repo());
      const sha = await commit(repo(), { 'a.txt': 'a\n' }, 'first');
      expect(sha).toMatch(/^[0-9a-f]{40}$/);
      expect(await resolveCommit(repo(), 'main')).toBe(sha);
      expect(await resolveCommit(repo(), sha.slice(0, 8))).toBe(sha);
      expect(await resolveCommit(repo(), 'polecat/nux/gt-404')).toBeNull();
      expect(await resolveCommit(repo(), '--git-dir')).toBeNull(); // a name, never an option
    });

    it('throws (rather than saying "missing") when the path is no repository', async () => {
      mkdirSync(join(dir(), 'plain'));
      await expect(resolveCommit(join(dir(), 'plain'), 'main')).rejects.toThrow(GitError);
    });
  });

  it('defaultBranch reads what HEAD names, in a work tree and in a bare repository', async () => {
    await initRepo(repo());
    await commit(repo(), { 'a.txt': 'a\n' }, 'first');
    await initRepo(join(dir(), 'remote.git'), { bare: true, branch: 'trunk' });
    expect(await defaultBranch(repo())).toBe('main');
    expect(await defaultBranch(join(dir(), 'remote.git'))).toBe('trunk');
  });

  it('hasRemote', async () => {
    await initRepo(repo());
    await runGit(repo(), ['remote', 'add', 'origin', join(dir(), 'remote.git')]);
    expect(await hasRemote(repo(), 'origin')).toBe(true);
    expect(await hasRemote(repo(), 'upstream')).toBe(false);
  });

  describe('history', () => {
    /** main: base ← m1; feature: base ← f1 ← f2. */
    const forked = async () => {
      await initRepo(repo());
      const base = await commit(repo(), { 'a.txt': 'a\n' }, 'base');
      await runGit(repo(), ['switch', '--quiet', '-c', 'feature']);
      await commit(repo(), { 'f.txt': '1\n' }, 'f1');
      const f2 = await commit(repo(), { 'f.txt': '2\n' }, 'f2');
      await runGit(repo(), ['switch', '--quiet', 'main']);
      const m1 = await commit(repo(), { 'm.txt': '1\n' }, 'm1');
      return { base, f2, m1 };
    };

    it('counts commits, tells ancestry and finds the merge-base', async () => {
      const { base, f2, m1 } = await forked();
      expect(await commitsBetween(repo(), 'main', 'feature')).toBe(2);
      expect(await commitsBetween(repo(), 'feature', 'main')).toBe(1);
      expect(await commitsBetween(repo(), f2, f2)).toBe(0);
      expect(await isAncestor(repo(), base, 'feature')).toBe(true);
      expect(await isAncestor(repo(), m1, 'feature')).toBe(false);
      expect(await mergeBase(repo(), 'feature', 'main')).toBe(base);
    });

    it('mergeBase of unrelated histories says so', async () => {
      await forked();
      await runGit(repo(), ['switch', '--quiet', '--orphan', 'elsewhere']);
      await commit(repo(), { 'x.txt': 'x\n' }, 'unrelated');
      await expect(mergeBase(repo(), 'elsewhere', 'main')).rejects.toThrow(/no common ancestor/);
    });

    it('checkedOutAt finds the work tree that holds a branch', async () => {
      await forked();
      const polecat = join(dir(), 'polecat');
      await runGit(repo(), ['worktree', 'add', '--quiet', polecat, 'feature']);
      expect(await checkedOutAt(repo(), 'main')).toBe(repo());
      expect(await checkedOutAt(repo(), 'feature')).toBe(polecat);
      expect(await checkedOutAt(repo(), 'nobody')).toBeNull();
    });
  });
});
