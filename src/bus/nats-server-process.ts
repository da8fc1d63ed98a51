import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { endWithParent, stopChild } from './child-process.ts';

/**
 * A `nats-server` child process with JetStream, for `gt up` without GT_NATS_URL (and for tests).
 * Listens on loopback only; the port is picked free unless given.
 */
export interface NatsServerProcess {
  url: string;
  pid: number;
  /** Rewrites the server's `authorization` block and waits until the running server has loaded it. */
  reconfigure(authorization: string): Promise<void>;
  stop(): Promise<void>;
  /** SIGKILL: no shutdown of any kind, as a crashed machine (fault tests); resolves once it exited. */
  kill(): Promise<void>;
}

export function findNatsServerBinary(): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin']) {
    if (dir && existsSync(`${dir}/nats-server`)) return `${dir}/nats-server`;
  }
  return null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The embedded server carries replies up to 8 MiB (the default is 1 MiB, about 2,000 beads of
 * `bd list --json`); bigger answers are refused with a message (see api-server.ts).
 */
export const EMBEDDED_MAX_PAYLOAD = 8 * 1024 * 1024;

export async function startNatsServer(options: {
  storeDir: string;
  port?: number;
  maxPayload?: number;
  /** An `authorization { users … }` block (nats-users.ts); none = anyone may connect. */
  authorization?: string;
  /** More configuration lines (a server name, a `cluster { … }` block, `http:` monitoring). */
  config?: readonly string[];
}): Promise<NatsServerProcess> {
  const binary = findNatsServerBinary();
  if (!binary) {
    throw new Error('nats-server not found; install it (apt-get install nats-server) or set GT_NATS_URL');
  }
  // Owner-only, like the rest of $GT_HOME (the config holds passwords). What the server itself
  // writes in the store (0640 / 0750 by its own choice) is kept private by the caller's umask,
  // which the child inherits (app/private-home.ts).
  mkdirSync(options.storeDir, { recursive: true, mode: 0o700 });
  const pidFile = join(options.storeDir, 'nats-server.pid');
  await stopOrphan(pidFile, options.storeDir);
  const port = options.port ?? (await freePort());
  const config = join(options.storeDir, 'nats-server.conf');
  // JetStream lives in the file, not on the command line: a reload drops command-line JetStream
  // options and JetStream with them (nats-server#6606).
  const writeConfig = (authorization: string) =>
    writeFileSync(
      config,
      [
        `max_payload: ${options.maxPayload ?? EMBEDDED_MAX_PAYLOAD}`,
        `jetstream: { store_dir: ${JSON.stringify(options.storeDir)} }`,
        ...(options.config ?? []),
        authorization,
      ].join('\n'),
      { mode: 0o600 },
    );
  writeConfig(options.authorization ?? '');
  const child = spawn(binary, ['-c', config, '-a', '127.0.0.1', '-p', String(port), '-P', pidFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // If this process ends without stopping it (a shutdown past its deadline), the server goes too.
  endWithParent(child);
  await waitUntilReady(child);
  return {
    url: `nats://127.0.0.1:${port}`,
    pid: child.pid as number,
    reconfigure: (authorization) => {
      writeConfig(authorization);
      const reloaded = waitForLine(child, 'Reloaded server configuration', 'reload its configuration');
      child.kill('SIGHUP');
      return reloaded;
    },
    stop: () => stopChild(child),
    kill: () => {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      return exited;
    },
  };
}

/** Resolves when the server logs `line` (its stderr), fails after 10 s or on exit. */
function waitForLine(child: ChildProcess, line: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const done = (err?: Error) => {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', done);
      if (err) reject(err);
      else resolve();
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(line)) done();
    };
    const onExit = (code: number | null) =>
      done(new Error(`nats-server exited with code ${code}:\n${output}`));
    const timer = setTimeout(
      () => done(new Error(`nats-server did not ${what} within 10 s:\n${output}`)),
      10_000,
    );
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', done);
  });
}

/**
 * A service killed with SIGKILL leaves its nats-server child running, holding the JetStream
 * store. The server writes its pid next to the store; a live process with that pid whose command
 * line names this store is that orphan, and is stopped before a new server starts.
 */
async function stopOrphan(pidFile: string, storeDir: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return; // not running (or not Linux: nothing to adopt)
  }
  if (!cmdline.includes('nats-server') || !cmdline.includes(storeDir)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 50));
  if (existsSync(`/proc/${pid}`)) process.kill(pid, 'SIGKILL');
}

async function waitUntilReady(child: ChildProcess): Promise<void> {
  try {
    await waitForLine(child, 'Server is ready', 'start');
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}
