import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Town } from './town.ts';

/** A fresh git repository with one commit, for a rig to work in. */
export function gitRepo(): string {
  const repo = mkdtempSync(join(tmpdir(), 'gt-rig-repo-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', repo, '-c', 'user.email=t@example.com', '-c', 'user.name=test', ...args]);
  git('init', '-q', '-b', 'main');
  git('commit', '-q', '--allow-empty', '-m', 'initial');
  return repo;
}

/** `gt rig run <rig>` as a real child process of the test, with its output kept. */
export class RunnerProcess {
  output = '';
  private readonly child: ChildProcess;

  private constructor(child: ChildProcess) {
    this.child = child;
    const keep = (c: Buffer) => {
      this.output += c.toString();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** `env`: variables the runner's environment has on top of the town's (secrets a test plants). */
  static async start(
    town: Town,
    rig: string,
    args: string[] = [],
    env: Record<string, string> = {},
  ): Promise<RunnerProcess> {
    const bin = resolve(import.meta.dirname, '../../bin/gt.mjs');
    const child = spawn(process.execPath, [bin, 'rig', 'run', rig, ...args], {
      env: town.env(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const runner = new RunnerProcess(child);
    await waitFor(
      () => runner.output.includes(`rig runner ${rig}: ready`),
      15_000,
      () => runner.output,
    );
    return runner;
  }

  /** SIGTERM stops its polecats with it; SIGKILL is a crash: they outlive it (own process groups). */
  /** The exit code once it exited (null while running or when a signal ended it). */
  get exitCode(): number | null {
    return this.child.exitCode;
  }

  /**
   * Sends `signal` and waits for the exit; a runner still running after `graceMs` is killed (-9)
   * and `false` returned, so a hung shutdown fails its test instead of hanging the teardown.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 60_000): Promise<boolean> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return true;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([
      exited.then(() => true),
      new Promise<false>((r) => {
        timer = setTimeout(() => r(false), graceMs);
      }),
    ]);
    clearTimeout(timer);
    if (inTime) return true;
    this.child.kill('SIGKILL');
    await exited;
    return false;
  }
}

/** Polls `check` until it holds; fails with `describe()` after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  describe: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms ${describe()}`);
}
