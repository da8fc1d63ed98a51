import { spawn } from 'node:child_process';

/** A git command that failed: what ran, how it ended, and what git said. */
export class GitError extends Error {
  readonly args: string[];
  /** The exit code; null when git could not start, was killed or timed out. */
  readonly code: number | null;
  readonly stderr: string;
  /** What git printed on stdout before failing (`push --porcelain` reports rejections there). */
  readonly stdout: string;

  /**
   * `how` says how it ended when there is no exit code (`timed out after 5000 ms`); `detail`
   * leads the message when git's verdict is on stdout (a push's rejected refs).
   */
  constructor(
    args: readonly string[],
    code: number | null,
    stderr: string,
    o: { stdout?: string; how?: string; detail?: string } = {},
  ) {
    // The tail: git ends with the `fatal:` line that says what went wrong. Some verdicts
    // ("nothing to commit") are printed on stdout.
    const output = (stderr.trim() || o.stdout?.trim() || 'no output').slice(-1_000);
    const said = o.detail ? `${o.detail}; ${output}` : output;
    super(`git ${args.join(' ')} ${o.how ?? `exited ${code}`}: ${said}`);
    this.name = 'GitError';
    this.args = [...args];
    this.code = code;
    this.stderr = stderr;
    this.stdout = o.stdout ?? '';
  }
}

export interface RunGitOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Written to git's stdin (e.g. a diff for `patch-id`); stdin is closed after it. */
  input?: string;
}

/** A backstop so a hung remote never holds the queue forever; callers pass tighter ones. */
export const DEFAULT_GIT_TIMEOUT_MS = 10 * 60_000;

/** Who commits when nobody says otherwise: the refinery, whatever the machine's git config says. */
export const REFINERY_IDENTITY = { name: 'Gas Town Refinery', email: 'refinery@gastown.invalid' };

/**
 * Settings that win over the repository's own config. The rig's `.git` is shared with polecat
 * worktrees, so anything a polecat writes there (a hook, an fsmonitor command, signing, rerere
 * resolutions) must not run or decide anything in our commands; auto-gc would fork a detached
 * process that outlives the command.
 */
const OVERRIDES = [
  'core.hooksPath=/dev/null',
  'core.fsmonitor=false',
  'commit.gpgSign=false',
  'rerere.enabled=false',
  'gc.auto=0',
].flatMap((kv) => ['-c', kv]);

/**
 * The environment git runs with: the parent's minus every GIT_* variable (a GIT_DIR or
 * GIT_INDEX_FILE inherited from a hook or a polecat would point us at another repository),
 * without global or system config (results must not depend on the machine), never prompting,
 * and with a fixed identity and English messages.
 */
export function gitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')));
  return {
    ...inherited,
    LC_ALL: 'C',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: REFINERY_IDENTITY.name,
    GIT_AUTHOR_EMAIL: REFINERY_IDENTITY.email,
    GIT_COMMITTER_NAME: REFINERY_IDENTITY.name,
    GIT_COMMITTER_EMAIL: REFINERY_IDENTITY.email,
    ...extra,
  };
}

/** Runs git in `cwd` (no shell); throws GitError with stderr on a non-zero exit. */
export async function runGit(cwd: string, args: readonly string[], o: RunGitOptions = {}): Promise<string> {
  return (await gitOutput(cwd, args, o)).trimEnd();
}

/** runGit's stdout exactly as git printed it (for output that is fed to git again). */
export function gitOutput(cwd: string, args: readonly string[], o: RunGitOptions = {}): Promise<string> {
  const timeoutMs = o.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    // `-C` rather than spawn's cwd: a missing directory then fails with git's own words.
    // Detached = its own session: no terminal for ssh or a credential helper to prompt on, and
    // one process group to kill on timeout (ssh and other helpers included).
    const child = spawn('git', ['-C', cwd, ...OVERRIDES, ...args], {
      env: gitEnv(o.env),
      stdio: 'pipe',
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new GitError(args, null, '', { how: `could not start (${e.message})` }));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0 && !timedOut) resolve(stdout);
      else if (timedOut)
        reject(new GitError(args, null, stderr, { stdout, how: `timed out after ${timeoutMs} ms` }));
      else
        reject(new GitError(args, code, stderr, { stdout, ...(code === null ? { how: 'was killed' } : {}) }));
    });
    // Closed at once (nothing for git to wait on); a git that exits before reading all its
    // input must not crash us with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(o.input);
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone between the deadline and the kill.
  }
}

/** Runs git and reports how it exited, for commands whose exit code is the answer (0 yes, 1 no). */
export async function gitSays(cwd: string, args: readonly string[], o: RunGitOptions = {}): Promise<boolean> {
  try {
    await runGit(cwd, args, o);
    return true;
  } catch (e) {
    if (e instanceof GitError && e.code === 1) return false;
    throw e;
  }
}
