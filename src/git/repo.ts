import { dirname, resolve } from 'node:path';
import { GitError, gitOutput, gitSays, runGit } from './run-git.ts';

/** Facts about a repository (a work tree or a bare one); `repo` is its path. */

/** Whether `path` itself is a repository: its top (work tree or bare), not a folder inside one. */
export async function isGitRepo(path: string): Promise<boolean> {
  const abs = resolve(path);
  // The ceiling stops git from walking up, so a plain folder inside some other repository
  // (or under a home directory that is one) is not taken for a repository.
  const env = { GIT_CEILING_DIRECTORIES: dirname(abs) };
  return runGit(abs, ['rev-parse', '--git-dir'], { env }).then(
    () => true,
    () => false,
  );
}

/** The full SHA of the commit `rev` names; null when there is no such commit. */
export async function resolveCommit(repo: string, rev: string): Promise<string | null> {
  try {
    return await runGit(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
  } catch (e) {
    if (e instanceof GitError && e.code === 1) return null; // --quiet: exit 1 means "no such commit"
    throw e;
  }
}

/** The branch HEAD names (`main`): a bare repository's default, a work tree's checked-out branch. */
export async function defaultBranch(repo: string): Promise<string> {
  return runGit(repo, ['symbolic-ref', '--short', 'HEAD']);
}

export async function hasRemote(repo: string, remote: string): Promise<boolean> {
  const remotes = await runGit(repo, ['remote']);
  return remotes.split('\n').includes(remote);
}

/** How many commits `head` has that `base` does not (`rev-list --count base..head`). */
export async function commitsBetween(repo: string, base: string, head: string): Promise<number> {
  return Number(await runGit(repo, ['rev-list', '--count', '--end-of-options', `${base}..${head}`]));
}

export async function isAncestor(repo: string, ancestor: string, descendant: string): Promise<boolean> {
  return gitSays(repo, ['merge-base', '--is-ancestor', '--end-of-options', ancestor, descendant]);
}

/** The best common ancestor of `a` and `b`; throws when the histories share none. */
export async function mergeBase(repo: string, a: string, b: string): Promise<string> {
  const args = ['merge-base', '--end-of-options', a, b];
  try {
    return await runGit(repo, args);
  } catch (e) {
    if (e instanceof GitError && e.code === 1 && e.stderr === '')
      throw new GitError(args, 1, `${a} and ${b} have no common ancestor`);
    throw e;
  }
}

/** The work tree (path) that has `branch` checked out, if any: moving it there would strand its index. */
export async function checkedOutAt(repo: string, branch: string): Promise<string | null> {
  const list = await runGit(repo, ['worktree', 'list', '--porcelain', '-z']);
  let path: string | null = null;
  for (const field of list.split('\0')) {
    if (field.startsWith('worktree ')) path = field.slice('worktree '.length);
    else if (field === `branch refs/heads/${branch}`) return path;
  }
  return null;
}

/** Patch options fixed here so a `log` and a `diff` of the same change give the same patch-id. */
const PATCH = ['-p', '--binary', '--no-renames', '--no-color', '--no-ext-diff', '--no-textconv'];

/**
 * Whether the changes of base..head are already on `target`: by ancestry (fast-forward, merge
 * commit), by a commit on target with the patch-id of the whole change (a squash), or by every
 * commit of head having its patch-id on target (a rebase: new SHAs, same patches). A false
 * "no" only costs a retry (the apply then finds nothing to do); a false "yes" would lose work,
 * hence binary changes compared by their full content, not by "Binary files differ".
 */
export async function alreadyLanded(
  repo: string,
  target: string,
  base: string,
  head: string,
): Promise<boolean> {
  if (await isAncestor(repo, head, target)) return true;
  const onTarget = new Set(await commitPatchIds(repo, `${base}..${target}`));
  if (onTarget.size === 0) return false;
  const [whole] = await patchIds(repo, ['diff', ...PATCH, '--end-of-options', base, head]);
  if (whole !== undefined && onTarget.has(whole)) return true;
  const mine = await commitPatchIds(repo, `${base}..${head}`);
  return mine.length > 0 && mine.every((id) => onTarget.has(id));
}

const commitPatchIds = (repo: string, range: string) =>
  patchIds(repo, ['log', ...PATCH, '--no-merges', '--format=commit %H', '--end-of-options', range]);

async function patchIds(repo: string, args: readonly string[]): Promise<string[]> {
  // Untrimmed: a patch's last line may be a context line of blanks.
  const patch = await gitOutput(repo, args);
  if (patch === '') return [];
  const ids = await runGit(repo, ['patch-id', '--stable'], { input: patch });
  return ids
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(' ')[0] as string);
}
