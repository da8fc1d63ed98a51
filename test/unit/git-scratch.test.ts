import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MERGE_STYLES, type MergeStyle } from '../../src/domain/merge-policy.ts';
import { commitsBetween, mergeBase, resolveCommit } from '../../src/git/repo.ts';
import { REFINERY_IDENTITY, runGit } from '../../src/git/run-git.ts';
import { applyWork, closeScratch, openScratch } from '../../src/git/scratch.ts';
import { commit, initRepo, lines, POLECAT, useTempDir } from './git-fixture.ts';

/**
 * The refinery's scratch worktree: the polecat's work applied on the target's tip in each merge
 * style, conflicts undone, and the rig's own checkout and the polecats' worktrees left alone.
 */
describe('scratch worktree', () => {
  const dir = useTempDir();
  const rig = () => join(dir(), 'rig');
  const polecat = () => join(dir(), 'polecat');
  const scratch = () => join(dir(), 'scratch');
  const BRANCH = 'polecat/nux/gt-1';
  const MESSAGE = 'Land gt-1: the thing';
  type Files = Record<string, string>;

  /** The rig at `base`; the polecat commits `work` in its own worktree; then the target moves by `target` (if any). */
  const rigWith = async (work: Files[], target: Files | null = { 'a.txt': lines({ 1: 'target' }) }) => {
    await initRepo(rig());
    await commit(rig(), { 'a.txt': lines() }, 'base');
    await runGit(rig(), ['worktree', 'add', '--quiet', '-b', BRANCH, polecat(), 'main']);
    for (const [i, files] of work.entries()) await commit(polecat(), files, `work ${i + 1}`, POLECAT);
    const source = await runGit(polecat(), ['rev-parse', 'HEAD']);
    const tip = target
      ? await commit(rig(), target, 'the target moves')
      : await runGit(rig(), ['rev-parse', 'HEAD']);
    await openScratch(rig(), scratch(), tip);
    return { source, tip, base: await mergeBase(rig(), source, tip) };
  };
  const apply = async (style: MergeStyle, source: string, base: string) =>
    applyWork(scratch(), { style, base, source, message: MESSAGE, identity: POLECAT });
  const fileAt = (rev: string, file: string) => runGit(rig(), ['show', `${rev}:${file}`]);
  const who = (rev: string) => runGit(rig(), ['log', '-1', '--format=%an <%ae>|%cn <%ce>|%s', rev]);
  const landedHead = (r: Awaited<ReturnType<typeof apply>>) => {
    if (!r.ok) throw new Error(`conflicts: ${r.conflicts.join(', ')}`);
    return r.head;
  };
  const polecatAuthor = `${POLECAT.name} <${POLECAT.email}>`;
  const refinery = `${REFINERY_IDENTITY.name} <${REFINERY_IDENTITY.email}>`;
  /** Both sides' changes: the target's first line, the polecat's ninth and its new file. */
  const work = [{ 'a.txt': lines({ 9: 'polecat' }) }, { 'b.txt': 'new\n' }];
  const expectBothChanges = async (head: string) => {
    expect(await fileAt(head, 'a.txt')).toBe(lines({ 1: 'target', 9: 'polecat' }).trimEnd());
    expect(await fileAt(head, 'b.txt')).toBe('new');
  };

  it('rebase: one commit per polecat commit on the tip, authors kept, committed by the refinery', async () => {
    const { source, tip, base } = await rigWith(work);
    const head = landedHead(await apply('rebase', source, base));
    await expectBothChanges(head);
    expect(await commitsBetween(rig(), tip, head)).toBe(2);
    expect(await runGit(rig(), ['rev-list', '--merges', `${tip}..${head}`])).toBe('');
    expect(await who(head)).toBe(`${polecatAuthor}|${refinery}|work 2`);
    expect(await who(`${head}~1`)).toBe(`${polecatAuthor}|${refinery}|work 1`);
  });

  it('merge: a merge commit with the tip and the source as parents', async () => {
    const { source, tip, base } = await rigWith(work);
    const head = landedHead(await apply('merge', source, base));
    await expectBothChanges(head);
    expect(await runGit(rig(), ['rev-parse', `${head}^1`, `${head}^2`])).toBe(`${tip}\n${source}`);
    expect(await who(head)).toBe(`${polecatAuthor}|${refinery}|${MESSAGE}`);
  });

  it('squash: one commit on the tip holding all of the work', async () => {
    const { source, tip, base } = await rigWith(work);
    const head = landedHead(await apply('squash', source, base));
    await expectBothChanges(head);
    expect(await runGit(rig(), ['rev-parse', `${head}^@`])).toBe(tip);
    expect(await who(head)).toBe(`${polecatAuthor}|${refinery}|${MESSAGE}`);
  });

  /** Back at the tip with nothing in progress: no half-applied commit, no MERGE_HEAD, no pick. */
  const expectCleanAt = async (tip: string) => {
    expect(await runGit(scratch(), ['rev-parse', 'HEAD'])).toBe(tip);
    expect(await runGit(scratch(), ['status', '--porcelain', '--untracked-files=all'])).toBe('');
    for (const state of ['MERGE_HEAD', 'CHERRY_PICK_HEAD'])
      expect(await resolveCommit(scratch(), state)).toBeNull();
    expect(await runGit(scratch(), ['status'])).not.toMatch(/merging|cherry-pick|rebas/i);
  };

  it.each(MERGE_STYLES)('%s: the same lines changed on both sides is a conflict, undone', async (style) => {
    const { source, tip, base } = await rigWith([{ 'b.txt': 'new\n' }, { 'a.txt': lines({ 1: 'polecat' }) }]);
    expect(await apply(style, source, base)).toEqual({ ok: false, conflicts: ['a.txt'] });
    await expectCleanAt(tip);
    // The same worktree takes the next merge request.
    expect((await apply(style, tip, tip)).ok).toBe(true);
  });

  it.each(MERGE_STYLES)('%s: work already on the tip leaves the tip as it is', async (style) => {
    const { source, base } = await rigWith([{ 'b.txt': 'new\n' }], null);
    await runGit(rig(), ['merge', '--quiet', '--ff-only', BRANCH]);
    const tip = await runGit(rig(), ['rev-parse', 'main']);
    await openScratch(rig(), scratch(), tip);
    expect(await apply(style, source, base)).toEqual({ ok: true, head: tip });
  });

  it('rebase drops a commit whose change the target already has', async () => {
    const { source, base } = await rigWith([{ 'b.txt': 'new\n' }, { 'c.txt': 'c\n' }], null);
    await runGit(rig(), ['cherry-pick', `${source}~1`]); // the first commit landed on its own
    const tip = await runGit(rig(), ['rev-parse', 'main']);
    await openScratch(rig(), scratch(), tip);
    const head = landedHead(await apply('rebase', source, base));
    expect(await commitsBetween(rig(), tip, head)).toBe(1);
    expect(await fileAt(head, 'c.txt')).toBe('c');
  });

  it("leaves the rig's checkout, its index and the polecat's worktree as they were", async () => {
    const { source, base } = await rigWith(work);
    writeFileSync(join(rig(), 'a.txt'), 'an operator is editing\n');
    writeFileSync(join(rig(), 'staged.txt'), 'staged\n');
    await runGit(rig(), ['add', 'staged.txt']);
    writeFileSync(join(polecat(), 'wip.txt'), 'uncommitted\n');
    const state = async () => ({
      rig: await runGit(rig(), ['status', '--porcelain=v2', '--branch', '--untracked-files=all']),
      staged: await runGit(rig(), ['diff', '--cached']),
      polecat: await runGit(polecat(), ['status', '--porcelain=v2', '--branch', '--untracked-files=all']),
      refs: await runGit(rig(), ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads']),
    });
    const before = await state();
    for (const style of MERGE_STYLES) expect((await apply(style, source, base)).ok).toBe(true);
    await closeScratch(rig(), scratch());
    expect(await state()).toEqual(before);
  });

  describe('open and close', () => {
    it('opens detached at the commit, replacing an old scratch at the same path', async () => {
      const { source, tip } = await rigWith(work);
      await openScratch(rig(), scratch(), source);
      expect(await runGit(scratch(), ['rev-parse', 'HEAD'])).toBe(source);
      await expect(runGit(scratch(), ['symbolic-ref', '-q', 'HEAD'])).rejects.toThrow(); // detached
      await openScratch(rig(), scratch(), tip);
      expect(await runGit(scratch(), ['rev-parse', 'HEAD'])).toBe(tip);
    });

    it('closes without error when already gone, and leaves only the rig and the polecat', async () => {
      await rigWith(work);
      await closeScratch(rig(), scratch());
      await closeScratch(rig(), scratch());
      expect(existsSync(scratch())).toBe(false);
      const list = await runGit(rig(), ['worktree', 'list', '--porcelain']);
      expect(list.split('\n').filter((l) => l.startsWith('worktree '))).toEqual([
        `worktree ${rig()}`,
        `worktree ${polecat()}`,
      ]);
    });

    it('reopens over the folder a crash left behind after its registration was lost', async () => {
      const { tip } = await rigWith(work);
      rmSync(join(rig(), '.git', 'worktrees', 'scratch'), { recursive: true });
      await openScratch(rig(), scratch(), tip);
      expect(await runGit(scratch(), ['rev-parse', 'HEAD'])).toBe(tip);
    });
    it('reopens over a registration whose folder is gone, and never sweeps away another worktree’s registration', async () => {
      const { tip } = await rigWith(work);
      await openScratch(rig(), scratch(), tip);
      rmSync(scratch(), { recursive: true }); // a crash took the folder, the registration stays
      await openScratch(rig(), scratch(), tip);
      expect(await runGit(scratch(), ['rev-parse', 'HEAD'])).toBe(tip);
      // Another worktree's registration without a folder (what another process's add looks like
      // for a moment): closing our scratch must not prune it.
      const other = join(dir(), 'other');
      await runGit(rig(), ['worktree', 'add', '--quiet', '--detach', other, tip]);
      rmSync(other, { recursive: true });
      await closeScratch(rig(), scratch());
      expect(await runGit(rig(), ['worktree', 'list', '--porcelain'])).toContain(`worktree ${other}`);
    });
  });
});
