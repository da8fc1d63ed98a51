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
  stop(): Promise<void>;
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
}): Promise<NatsServerProcess> {
  const binary = findNatsServerBinary();
  if (!binary) {
    throw new Error('nats-server not found; install it (apt-get install nats-server) or set GT_NATS_URL');
  }
  mkdirSync(options.storeDir, { recursive: true });
  const pidFile = join(options.storeDir, 'nats-server.pid');
  await stopOrphan(pidFile, options.storeDir);
  const port = options.port ?? (await freePort());
  const config = join(options.storeDir, 'nats-server.conf');
  writeFileSync(config, `max_payload: ${options.maxPayload ?? EMBEDDED_MAX_PAYLOAD}\n`);
  const child = spawn(
    binary,
    ['-c', config, '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', options.storeDir, '-P', pidFile],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  // If this process ends without stopping it (a shutdown past its deadline), the server goes too.
  endWithParent(child);
  await waitUntilReady(child);
  return { url: `nats://127.0.0.1:${port}`, pid: child.pid as number, stop: () => stopChild(child) };
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

function waitUntilReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => fail(new Error(`nats-server did not start within 10 s:\n${output}`)),
      10_000,
    );
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    };
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Server is ready')) {
        clearTimeout(timer);
        child.stderr?.removeAllListeners('data');
        child.stderr?.resume();
        resolve();
      }
    });
    child.once('exit', (code) => fail(new Error(`nats-server exited with code ${code}:\n${output}`)));
    child.once('error', fail);
  });
}
