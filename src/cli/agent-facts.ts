import { execFileSync } from 'node:child_process';

/**
 * `gt done` records where the work is. The agent runs it inside its worktree, so the CLI fills in
 * what only the local machine knows — the branch (GT_BRANCH, set by the rig runner) and the last
 * commit — unless given. Facts, not decisions: the command layer decides what to do with them.
 */
export function withDoneFacts(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const out = [...argv];
  if (!out.includes('--branch') && env.GT_BRANCH) out.push('--branch', env.GT_BRANCH);
  if (!out.includes('--commit')) {
    const head = gitHead();
    if (head) out.push('--commit', head);
  }
  return out;
}

function gitHead(): string | null {
  try {
    return (
      execFileSync('git', ['rev-parse', 'HEAD'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim() || null
    );
  } catch {
    return null;
  }
}
