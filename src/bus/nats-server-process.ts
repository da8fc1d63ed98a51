import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { stopChild } from './child-process.ts';

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

export async function startNatsServer(options: {
  storeDir: string;
  port?: number;
}): Promise<NatsServerProcess> {
  const binary = findNatsServerBinary();
  if (!binary) {
    throw new Error('nats-server not found; install it (apt-get install nats-server) or set GT_NATS_URL');
  }
  mkdirSync(options.storeDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const child = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', options.storeDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await waitUntilReady(child);
  return { url: `nats://127.0.0.1:${port}`, pid: child.pid as number, stop: () => stopChild(child) };
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
