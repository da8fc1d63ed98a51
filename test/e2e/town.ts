import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';

/**
 * A real town for end-to-end tests: `gt up` as a child process on a temporary $GT_HOME (its own
 * nats-server child, SQLite file), and `gt` / `bd` run exactly as a user runs them.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const BIN_DIR = process.env.GT_E2E_BIN_DIR ?? join(ROOT, 'bin');
const BIN = { gt: join(BIN_DIR, 'gt.mjs'), bd: join(BIN_DIR, 'bd.mjs') };

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Town {
  readonly home: string;
  private service: ChildProcess | undefined;
  serviceOutput = '';

  constructor(home = mkdtempSync(join(tmpdir(), 'gt-e2e-'))) {
    this.home = home;
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      GT_HOME: this.home,
      GT_ACTOR: 'e2e-user',
      GT_LOG_LEVEL: 'warn',
      // Periodic stranded scans would race assertions about undispatched work; the scan at start
      // still runs. Tests about the schedule set their own interval.
      GT_STRANDED_INTERVAL_S: '600',
    };
    // The surrounding shell's service and identity must not leak in; the test's own may.
    delete env.GT_NATS_URL;
    delete env.GT_AGENT;
    return { ...env, ...extra };
  }

  /** Starts `gt up` and resolves once it printed its ready line. */
  async up(
    args: string[] = ['--http-port', '0'],
    env: Record<string, string> = {},
    readyWithinMs = 20_000,
  ): Promise<void> {
    const child = spawn(process.execPath, [BIN.gt, 'up', ...args], {
      // Not in the checkout: a developer's .env there (gt up reads the working directory's) must
      // not reach the tests. The home itself when it exists (a test may have gt up create it).
      cwd: existsSync(this.home) ? this.home : tmpdir(),
      env: this.env(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.service = child;
    const from = this.serviceOutput.length; // an earlier run's output must not count
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`gt up not ready in ${readyWithinMs / 1000} s:\n${this.serviceOutput}`)),
        readyWithinMs,
      );
      const onData = (chunk: Buffer) => {
        this.serviceOutput += chunk.toString();
        if (/^gt up: ready/m.test(this.serviceOutput.slice(from))) {
          clearTimeout(timer);
          ready();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (c: Buffer) => {
        this.serviceOutput += c.toString();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`gt up exited (${code}):\n${this.serviceOutput}`));
      });
    });
  }

  /** Signals the service (SIGTERM by default) and waits; returns the exit code. */
  async down(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.service;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    this.service = undefined;
    child.removeAllListeners('exit'); // the start-up failure handler
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill(signal);
    return exited;
  }

  /** Connects to the town's NATS as its operator (the credentials `gt up` wrote, if any). */
  connectNats(): Promise<NatsConnection> {
    const creds = join(this.home, 'creds', 'operator.json');
    const login = existsSync(creds) ? JSON.parse(readFileSync(creds, 'utf8')) : null;
    return connect({
      servers: this.runtime().nats_url,
      ...(login && { user: login.user, pass: login.password }),
    });
  }

  runtime(): { nats_url: string; http_url: string; pid: number } {
    return JSON.parse(readFileSync(join(this.home, 'runtime.json'), 'utf8'));
  }

  run(tool: 'gt' | 'bd', args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    return new Promise((done) => {
      execFile(
        process.execPath,
        [BIN[tool], ...args],
        { env: this.env(env), timeout: 30_000 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          done({ code, stdout, stderr });
        },
      );
    });
  }

  /** Runs a command that must succeed with --json and returns the parsed document. */
  async json<T = unknown>(tool: 'gt' | 'bd', args: string[]): Promise<T> {
    const r = await this.run(tool, [...args, '--json']);
    if (r.code !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }

  async destroy(): Promise<void> {
    await this.down();
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** A service log's lines about merge queues and leases, and every warning (what a stuck landing shows). */
export function refineryLines(output: string): string {
  return output
    .split('\n')
    .filter((l) => /merge queue|lease|refinery|"level":(40|50)/.test(l))
    .slice(-60)
    .join('\n');
}
