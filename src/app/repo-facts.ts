import type { RepoFacts } from '../commands/command.ts';
import { commitsBetween, defaultBranch, isGitRepo, resolveCommit } from '../git/repo.ts';
import { openRigRepo } from '../services/refinery/rig-repo.ts';

/** The command layer's view of rig repositories, read the way the refinery reads them. */
export const gitRepoFacts: RepoFacts = {
  isRepo: (path) => isGitRepo(path),
  branchHead: async (path, branch) => {
    const repo = await openRigRepo(path);
    await repo.refresh();
    return resolveCommit(path, repo.branchRef(branch));
  },
  defaultBranch: (path) => defaultBranch(path),
  commitsBeyond: async (path, target, sha) => {
    const repo = await openRigRepo(path);
    const tip = await resolveCommit(path, repo.branchRef(target));
    return tip ? commitsBetween(path, tip, sha) : 0;
  },
  createBranch: async (path, branch, from) => {
    const repo = await openRigRepo(path);
    await repo.refresh();
    const tip = await resolveCommit(path, repo.branchRef(from));
    if (!tip) throw new Error(`${from} does not exist in ${path}`);
    return repo.createBranch(branch, tip);
  },
};
