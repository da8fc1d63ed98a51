import { existsSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { MergeStyle } from '../domain/merge-policy.ts';
import { GitError, gitSays, runGit } from './run-git.ts';

/**
 * The refinery's own worktree: detached (no branch of its own, so it never holds a branch a
 * polecat or the target needs), with its own HEAD and index, so applying work there leaves the
 * rig repository's checkout and the polecats' worktrees alone.
 */

/** A detached worktree of `repo` at `commit` in `path` (an old one there is removed first). */
export async function openScratch(repo: string, path: string, commit: string): Promise<void> {
  await closeScratch(repo, path);
  await runGit(repo, ['worktree', 'add', '--detach', '--end-of-options', path, commit]);
}

/** Removes the scratch worktree and its registration; no error when already gone. */
export async function closeScratch(repo: string, path: string): Promise<void> {
  // Fails when it is not (or no longer) a registered worktree: prune and the leftover check below decide.
  const removed = await runGit(repo, ['worktree', 'remove', '--force', '--force', path]).then(
    () => true,
    () => false,
  );
  if (!removed && (await registeredWorktrees(repo)).has(path)) await runGit(repo, ['worktree', 'prune']);
  // A crash can leave the folder of a worktree whose registration is gone (its `.git` is a file
  // pointing nowhere). Anything else there is not ours to delete.
  const marker = join(path, '.git');
  if (existsSync(marker) && statSync(marker).isFile()) await rm(path, { recursive: true, force: true });
}

export type Applied = { ok: true; head: string } | { ok: false; conflicts: string[] };

export interface ApplyOptions {
  style: MergeStyle;
  /** The merge-base of source and target: the polecat's commits are base..source. */
  base: string;
  source: string;
  /** The message of the merge or squash commit (rebase keeps the polecat's messages). */
  message: string;
  /** The author of the merge or squash commit; the committer is always the refinery. */
  identity: { name: string; email: string };
}

/**
 * In the scratch worktree sitting at the target's tip: apply the work of base..source in
 * `style`. On a conflict: abort, leave the worktree clean at the tip, return the conflicting
 * paths. Work that is already there yields `head` = the tip (nothing to commit).
 */
export async function applyWork(path: string, o: ApplyOptions): Promise<Applied> {
  const tip = await runGit(path, ['rev-parse', 'HEAD']);
  try {
    const conflicts = await STYLES[o.style](path, o);
    if (conflicts.length === 0) return { ok: true, head: await runGit(path, ['rev-parse', 'HEAD']) };
    await restore(path, tip);
    return { ok: false, conflicts };
  } catch (e) {
    await restore(path, tip);
    throw e;
  }
}

/** Each style applies the work and returns the conflicting paths ([] when it applied). */
const STYLES: Record<MergeStyle, (path: string, o: ApplyOptions) => Promise<string[]>> = {
  rebase: cherryPickEach,
  merge: (path, o) =>
    conflictsOf(path, () =>
      runGit(
        path,
        ['merge', '--no-ff', '--no-log', '-m', o.message, '--end-of-options', o.source],
        authoredBy(o),
      ),
    ),
  squash: async (path, o) => {
    const conflicts = await conflictsOf(path, () =>
      runGit(path, ['merge', '--squash', '--no-log', '--end-of-options', o.source]),
    );
    if (conflicts.length > 0 || (await nothingStaged(path))) return conflicts;
    await runGit(path, ['commit', '--no-verify', '-m', o.message], authoredBy(o));
    return [];
  },
};

/**
 * Like `git rebase`, without its config-driven extras (update-refs, autosquash) and without a
 * branch to check out: each non-merge commit of base..source in order, authors kept; a commit
 * whose change is already on the tip is dropped rather than landed empty.
 */
async function cherryPickEach(path: string, o: ApplyOptions): Promise<string[]> {
  const range = `${o.base}..${o.source}`;
  const list = await runGit(path, [
    'rev-list',
    '--reverse',
    '--topo-order',
    '--no-merges',
    '--end-of-options',
    range,
  ]);
  for (const commit of list.split('\n').filter((c) => c !== '')) {
    const conflicts = await conflictsOf(path, () => runGit(path, ['cherry-pick', '--allow-empty', commit]), {
      onCleanStop: () => runGit(path, ['cherry-pick', '--skip']),
    });
    if (conflicts.length > 0) return conflicts;
  }
  return [];
}

/**
 * Runs `step`; when git stops, the unmerged paths are the conflicts. A stop without any (a
 * cherry-pick that became empty) goes to `onCleanStop` when given, else it is an error.
 */
async function conflictsOf(
  path: string,
  step: () => Promise<unknown>,
  o: { onCleanStop?: () => Promise<unknown> } = {},
): Promise<string[]> {
  try {
    await step();
    return [];
  } catch (e) {
    if (!(e instanceof GitError)) throw e;
    const conflicts = await unmergedPaths(path);
    if (conflicts.length > 0) return conflicts;
    if (o.onCleanStop && (await nothingStaged(path))) {
      await o.onCleanStop();
      return [];
    }
    throw e;
  }
}

async function unmergedPaths(path: string): Promise<string[]> {
  const out = await runGit(path, ['diff', '--name-only', '--diff-filter=U', '-z']);
  return [...new Set(out.split('\0').filter((p) => p !== ''))];
}

const nothingStaged = (path: string) => gitSays(path, ['diff', '--cached', '--quiet']);

const authoredBy = (o: ApplyOptions) => ({
  env: { GIT_AUTHOR_NAME: o.identity.name, GIT_AUTHOR_EMAIL: o.identity.email },
});

/** Back to the tip with nothing in progress: whatever stopped, half-applied commits included. */
async function restore(path: string, tip: string): Promise<void> {
  await runGit(path, ['reset', '--hard', '--quiet', tip]);
  await runGit(path, ['clean', '-ffd', '--quiet']);
}

/**
 * The scratch worktree at `commit` as a fresh checkout would be: what gates built or installed
 * there (ignored files included) goes too, so a second run starts from nothing as the first did.
 */
export async function resetScratch(path: string, commit: string): Promise<void> {
  await runGit(path, ['reset', '--hard', '--quiet', commit]);
  await runGit(path, ['clean', '-ffdx', '--quiet']);
}

/** The tree (content) of a commit: two commits with one tree verify alike. */
export const treeOf = (path: string, commit: string): Promise<string> =>
  runGit(path, ['rev-parse', '--verify', '--end-of-options', `${commit}^{tree}`]);

/**
 * The paths of `repo`'s registered worktrees (`git worktree list`, a read). `git worktree prune`
 * runs only when one of ours is registered but cannot be removed (its folder is gone): prune sweeps
 * the whole repository and deletes a registration another process's `worktree add` is just
 * creating (a runner's polecat worktree), failing that add.
 */
export async function registeredWorktrees(repo: string): Promise<Set<string>> {
  const listed = await runGit(repo, ['worktree', 'list', '--porcelain']);
  return new Set(
    listed
      .split('\n')
      .filter((line) => line.startsWith('worktree '))
      .map((line) => line.slice('worktree '.length)),
  );
}
