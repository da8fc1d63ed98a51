import {
  deleteBranch,
  deleteRemoteBranch,
  fetchRemote,
  moveBranch,
  pushBranch,
  remoteBranchTip,
} from '../../git/refs.ts';
import { checkedOutAt, hasRemote, isAncestor, resolveCommit } from '../../git/repo.ts';
import { runGit } from '../../git/run-git.ts';

const ORIGIN = 'origin';
const ZERO_SHA = '0'.repeat(40);

/**
 * A rig's repository as the refinery sees it. Without a remote, branches and the target are
 * local refs and landing moves `refs/heads/<target>` by compare-and-swap. With a remote `origin`
 * (what teams use; a bare repository in tests), polecats push their branches there, the
 * refinery reads `origin/*` after a fetch and lands by a push with lease on the target's old value.
 */
export interface RigRepo {
  readonly path: string;
  readonly remote: boolean;
  /** Brings the remote's branches in (a no-op without a remote). */
  refresh(): Promise<void>;
  /** The ref a branch is read from (`refs/heads/x` or `refs/remotes/origin/x`). */
  branchRef(branch: string): string;
  /** Moves the target from `expected` to `next`; false when it no longer points at `expected`. */
  moveTarget(target: string, next: string, expected: string): Promise<boolean>;
  /** Deletes a merged branch (and its remote copy). */
  dropBranch(branch: string): Promise<void>;
  /** Creates `branch` at `at` (on the remote first, when there is one); false when it exists already. */
  createBranch(branch: string, at: string): Promise<boolean>;
}

export async function openRigRepo(path: string): Promise<RigRepo> {
  const remote = await hasRemote(path, ORIGIN);
  return {
    path,
    remote,
    refresh: () => (remote ? fetchRemote(path, ORIGIN) : Promise.resolve()),
    branchRef: (branch) => (remote ? `refs/remotes/${ORIGIN}/${branch}` : `refs/heads/${branch}`),
    moveTarget: async (target, next, expected) => {
      if (!remote)
        return (
          (await moveBranch(path, target, next, expected)) &&
          (await followCheckout(path, target, expected, next))
        );
      const pushed = await pushBranch(path, ORIGIN, target, next, expected);
      // A push can report success while the remote ends up elsewhere (a hook rewrote it): only
      // what the remote holds now counts as landed.
      if (!pushed || (await remoteBranchTip(path, ORIGIN, target)) !== next) return false;
      await fetchRemote(path, ORIGIN);
      await followLocal(path, target, next);
      return true;
    },
    dropBranch: async (branch) => {
      if (remote) await deleteRemoteBranch(path, ORIGIN, branch);
      await deleteBranch(path, branch);
    },
    createBranch: async (branch, at) => {
      if (remote && !(await pushBranch(path, ORIGIN, branch, at, ''))) return false;
      if (remote) await fetchRemote(path, ORIGIN);
      // A local copy too: polecats' worktrees start from local branches.
      return (await moveBranch(path, branch, at, ZERO_SHA)) || remote;
    },
  };
}

/**
 * The rig's clone keeps its own target branch too: new polecat worktrees start from it, and they
 * must start from what just landed. A fast-forward only (by compare-and-swap); a local branch
 * someone moved elsewhere is left alone.
 */
async function followLocal(repo: string, target: string, next: string): Promise<void> {
  const local = await resolveCommit(repo, `refs/heads/${target}`);
  if (!local || !(await isAncestor(repo, local, next))) return;
  if (await moveBranch(repo, target, next, local)) await followCheckout(repo, target, local, next);
}

/**
 * A non-bare rig repository with the target checked out (the demo's, a developer's checkout):
 * moving the branch leaves that checkout's index and files at the old commit, showing the landed
 * work reversed as local changes. Bring them along (`read-tree -m -u old new`: a fast-forward of
 * index and files that keeps, and never overwrites, local edits). When local edits conflict, the
 * branch has moved all the same; the checkout is left for its owner (`git status` shows why).
 */
async function followCheckout(repo: string, branch: string, old: string, next: string): Promise<true> {
  const checkout = await checkedOutAt(repo, branch);
  if (checkout) await runGit(checkout, ['read-tree', '-m', '-u', old, next]).catch(() => undefined);
  return true;
}
