import { execFileSync } from 'node:child_process';

/**
 * `gt done` records where the work is. The agent runs it inside its worktree, so the CLI fills in
 * what only the local machine knows — the branch (GT_BRANCH, set by the rig runner), the last
 * commit and how many files are left uncommitted — unless given. Facts, not decisions: the
 * command layer decides what to do with them. When the repository has a remote, the branch is
 * pushed first: that is where the refinery reads it from.
 */
export function withDoneFacts(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const out = [...argv];
  const branch = flagValue(out, '--branch') ?? env.GT_BRANCH;
  if (!out.includes('--branch') && env.GT_BRANCH) out.push('--branch', env.GT_BRANCH);
  if (!out.includes('--commit')) {
    const head = git('rev-parse', 'HEAD');
    if (head) out.push('--commit', head);
  }
  if (!out.includes('--uncommitted')) {
    const status = git('status', '--porcelain');
    if (status !== null) out.push('--uncommitted', String(status.split('\n').filter((l) => l.trim()).length));
  }
  const finishing = (flagValue(out, '--status') ?? 'completed') === 'completed';
  if (finishing && branch && git('remote', 'get-url', 'origin'))
    git('push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${branch}`);
  return out;
}

const flagValue = (argv: readonly string[], name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};

/** Runs git in the working directory; null when it fails (not a repository, no remote). */
function git(...args: string[]): string | null {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}
