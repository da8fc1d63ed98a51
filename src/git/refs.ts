import { resolveCommit } from './repo.ts';
import { GitError, runGit } from './run-git.ts';

/**
 * Moving refs only by compare-and-swap on their old value: whoever moved a branch since we
 * read it wins, and we find out instead of overwriting their work.
 */

/** `refs/heads/<branch>`; a name git would read as an option never reaches it. */
export function branchRef(branch: string): string {
  if (branch === '' || branch.startsWith('-') || branch.startsWith('refs/'))
    throw new Error(`invalid branch name ${JSON.stringify(branch)}: give a short name such as main`);
  return `refs/heads/${branch}`;
}

/**
 * `git update-ref refs/heads/<branch> <next> <expected>`: false (and nothing changed) when the
 * branch no longer points at `expected` (a full SHA; all zeros: the branch must not exist yet).
 * A work tree that has the branch checked out is not updated (see `checkedOutAt`).
 */
export async function moveBranch(
  repo: string,
  branch: string,
  next: string,
  expected: string,
): Promise<boolean> {
  const ref = branchRef(branch);
  try {
    // A racer holding the ref's lock finishes within milliseconds: wait for it rather than fail,
    // so the loser then sees the new value and says false.
    await runGit(repo, [
      '-c',
      'core.filesRefLockTimeout=5000',
      'update-ref',
      '-m',
      'refinery: land',
      '--end-of-options',
      ref,
      next,
      expected,
    ]);
    return true;
  } catch (e) {
    // Decided by what the branch points at now, not by parsing git's message. An all-zero
    // `expected` (create) stands for "no such branch".
    const now = await resolveCommit(repo, ref);
    const unmoved = now === expected || (now === null && /^0+$/.test(expected));
    if (!unmoved) return false;
    throw e;
  }
}

/**
 * `git push --force-with-lease=refs/heads/<branch>:<expected> <remote> <next>:refs/heads/<branch>`:
 * false when the remote branch moved (rejected, remote unchanged), true when pushed (or already
 * there); throws GitError on anything else (no network, a protected branch, a declining hook).
 * `expected` '' means the branch must not exist yet.
 */
export async function pushBranch(
  repo: string,
  remote: string,
  branch: string,
  next: string,
  expected: string,
): Promise<boolean> {
  const ref = branchRef(branch);
  try {
    await runGit(repo, [
      'push',
      '--porcelain',
      `--force-with-lease=${ref}:${expected}`,
      '--end-of-options',
      remote,
      `${next}:${ref}`,
    ]);
    return true;
  } catch (e) {
    if (!(e instanceof GitError)) throw e;
    const verdict = pushVerdict(e.stdout, ref);
    if (verdict === '[rejected] (stale info)') return false;
    // Name the refusal (`[remote rejected] (pre-receive hook declined)`): it is on stdout.
    const detail = verdict ? { detail: `${ref} ${verdict}` } : {};
    throw new GitError(e.args, e.code, e.stderr, { stdout: e.stdout, ...detail });
  }
}

/** `push --porcelain` reports each ref as `<flag>\t<from>:<to>\t<summary>`: the summary of a rejected `ref`. */
function pushVerdict(porcelain: string, ref: string): string | undefined {
  const line = porcelain
    .split('\n')
    .map((l) => l.split('\t'))
    .find(([flag, refs]) => flag === '!' && refs?.endsWith(`:${ref}`));
  return line?.[2];
}

/** Where `branch` points on `remote` now (`ls-remote`), null when it does not exist there. */
export async function remoteBranchTip(repo: string, remote: string, branch: string): Promise<string | null> {
  const ref = branchRef(branch);
  const out = await runGit(repo, ['ls-remote', '--end-of-options', remote, ref]);
  const line = out.split('\n').find((l) => l.endsWith(`\t${ref}`));
  return line?.split('\t')[0] ?? null;
}

export async function fetchRemote(repo: string, remote: string): Promise<void> {
  await runGit(repo, ['fetch', '--prune', '--end-of-options', remote]);
}

/**
 * Deletes a local branch; no error when already gone. Git refuses while a work tree has it
 * checked out (a polecat still at work), and that error is thrown.
 */
export async function deleteBranch(repo: string, branch: string): Promise<void> {
  const ref = branchRef(branch);
  if ((await resolveCommit(repo, ref)) === null) return;
  try {
    await runGit(repo, ['branch', '-D', branch]);
  } catch (e) {
    if ((await resolveCommit(repo, ref)) !== null) throw e; // else someone else deleted it first
  }
}

/** Deletes a branch on `remote`; no error when already gone there. */
export async function deleteRemoteBranch(repo: string, remote: string, branch: string): Promise<void> {
  const ref = branchRef(branch);
  try {
    await runGit(repo, ['push', '--porcelain', '--end-of-options', remote, `:${ref}`]);
  } catch (e) {
    if ((await remoteBranchTip(repo, remote, branch)) !== null) throw e;
  }
}
