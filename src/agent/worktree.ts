import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

import { registeredWorktrees } from '../git/scratch.ts';

const run = promisify(execFile);

/** Git worktrees for polecats: one per bead, on its own branch, removed when done (branch kept). */
export async function createWorktree(
  repo: string,
  path: string,
  branch: string,
  startFrom = 'HEAD',
): Promise<void> {
  if (!existsSync(repo))
    throw new Error(`rig repository ${repo} does not exist; fix it with gt rig add --repo`);
  // A respawn finds the worktree its predecessor left with uncommitted work: carry on in it.
  if (existsSync(path) && (await uncommittedFiles(path)) >= 0) return;
  const exists = await run('git', [
    '-C',
    repo,
    'rev-parse',
    '--verify',
    '--quiet',
    `refs/heads/${branch}`,
  ]).then(
    () => true,
    () => false,
  );
  // A re-dispatched bead continues on its branch; a new one branches from the repository's HEAD
  // (or, reworking another polecat's merge request, from that branch: the work so far).
  const args = exists
    ? ['worktree', 'add', path, branch]
    : ['worktree', 'add', '-b', branch, path, startFrom];
  await run('git', ['-C', repo, ...args]);
}

export async function removeWorktree(repo: string, path: string): Promise<void> {
  const removed = await run('git', ['-C', repo, 'worktree', 'remove', '--force', path]).then(
    () => true,
    () => false,
  );
  // Only for a registration whose folder is gone: a repository-wide prune would also delete the
  // registration of a worktree the refinery or another runner is adding right now (scratch.ts).
  if (!removed && (await registeredWorktrees(repo).catch(() => new Set<string>())).has(path))
    await run('git', ['-C', repo, 'worktree', 'prune']).catch(() => undefined);
}

/** Files with uncommitted changes in a worktree (0: clean; -1: not a worktree any more). */
export async function uncommittedFiles(path: string): Promise<number> {
  if (!existsSync(path)) return -1;
  try {
    const { stdout } = await run('git', ['-C', path, 'status', '--porcelain']);
    return stdout.split('\n').filter((l) => l.trim() !== '').length;
  } catch {
    return -1;
  }
}
