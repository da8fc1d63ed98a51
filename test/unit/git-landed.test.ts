import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alreadyLanded, isAncestor, mergeBase } from '../../src/git/repo.ts';
import { runGit } from '../../src/git/run-git.ts';
import { commit, initRepo, lines, POLECAT, useTempDir } from './git-fixture.ts';

/**
 * alreadyLanded: after a crash between landing and closing beads (refinery.md §11 scenario
 * 25), the engine must recognise its own landing however it was done — and never mistake
 * unrelated work for it.
 */
describe('alreadyLanded', () => {
  const dir = useTempDir();
  const repo = () => join(dir(), 'rig');
  const on = (branch: string) => runGit(repo(), ['switch', '--quiet', branch]);

  /** main: base; feature (from base): the polecat's commits. Returns the fork point. */
  const polecatWork = async (commits: Array<Record<string, string | Buffer>>) => {
    await initRepo(repo());
    const base = await commit(repo(), { 'a.txt': lines() }, 'base');
    await runGit(repo(), ['switch', '--quiet', '-c', 'feature']);
    for (const [i, files] of commits.entries()) await commit(repo(), files, `work ${i + 1}`, POLECAT);
    await on('main');
    return base;
  };
  const targetMoves = () => commit(repo(), { 'a.txt': lines({ 1: 'target moved' }) }, 'someone else');
  const landed = async (base: string) => alreadyLanded(repo(), 'main', base, 'feature');

  it('is true after a fast-forward', async () => {
    const base = await polecatWork([{ 'b.txt': 'b\n' }, { 'c.txt': 'c\n' }]);
    await runGit(repo(), ['merge', '--quiet', '--ff-only', 'feature']);
    expect(await landed(base)).toBe(true);
  });

  it('is true after a merge commit', async () => {
    const base = await polecatWork([{ 'b.txt': 'b\n' }]);
    await targetMoves();
    await runGit(repo(), ['merge', '--quiet', '--no-ff', '-m', 'merge', 'feature']);
    expect(await landed(base)).toBe(true);
  });

  it('is true after a rebase: different SHAs, the same patches', async () => {
    const base = await polecatWork([{ 'b.txt': 'b\n' }, { 'a.txt': lines({ 9: 'polecat' }) }]);
    await targetMoves();
    await runGit(repo(), ['cherry-pick', `${base}..feature`]);
    expect(await isAncestor(repo(), 'feature', 'main')).toBe(false);
    expect(await mergeBase(repo(), 'feature', 'main')).toBe(base);
    expect(await landed(base)).toBe(true);
  });

  it('is true after a squash of one commit, and of several', async () => {
    const one = await polecatWork([{ 'b.txt': 'b\n' }]);
    await targetMoves();
    await runGit(repo(), ['merge', '--quiet', '--squash', 'feature']);
    await runGit(repo(), ['commit', '--quiet', '-m', 'squashed']);
    expect(await landed(one)).toBe(true);

    await runGit(repo(), ['switch', '--quiet', '-c', 'feature2', one]);
    await commit(repo(), { 'c.txt': 'c\n' }, 'c', POLECAT);
    await commit(repo(), { 'a.txt': lines({ 9: 'polecat' }) }, 'a', POLECAT);
    await on('main');
    await runGit(repo(), ['merge', '--quiet', '--squash', 'feature2']);
    await runGit(repo(), ['commit', '--quiet', '-m', 'squashed two']);
    expect(await alreadyLanded(repo(), 'main', one, 'feature2')).toBe(true);
  });

  it('is false for unrelated work on the target', async () => {
    const base = await polecatWork([{ 'b.txt': 'b\n' }]);
    await targetMoves();
    await commit(repo(), { 'z.txt': 'z\n' }, 'more unrelated');
    expect(await landed(base)).toBe(false);
  });

  it('is false when only part of the work landed', async () => {
    const base = await polecatWork([{ 'b.txt': 'b\n' }, { 'c.txt': 'c\n' }]);
    await targetMoves();
    await runGit(repo(), ['cherry-pick', 'feature~1']);
    expect(await landed(base)).toBe(false);
  });

  it('tells binary changes apart by their content', async () => {
    const base = await polecatWork([{ 'logo.bin': Buffer.from([0, 1, 2, 3]) }]);
    await commit(repo(), { 'logo.bin': Buffer.from([0, 9, 9, 9]) }, 'another logo');
    expect(await landed(base)).toBe(false);
    await runGit(repo(), ['reset', '--quiet', '--hard', base]);
    await targetMoves();
    await runGit(repo(), ['cherry-pick', 'feature']);
    expect(await landed(base)).toBe(true);
  });
});
