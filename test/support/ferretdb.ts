import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild } from '../../src/bus/child-process.ts';
import { freePort } from '../../src/bus/nats-server-process.ts';

/**
 * A real FerretDB 1.24 (MongoDB wire protocol over SQLite) on a free loopback port with a
 * temporary data directory, for the MongoDB adapter's contract tests. null when not installed
 * (scripts/ferretdb.sh, which the test command runs, builds it when Go is present).
 */
export interface FerretDb {
  uri: string;
  stop(): Promise<void>;
}

export function findFerretDbBinary(): string | null {
  const candidates = [
    process.env.GT_FERRETDB_BIN,
    join(process.env.GT_TOOLS_DIR ?? join(homedir(), '.cache', 'gastown-ops'), 'bin', 'ferretdb'),
    ...(process.env.PATH ?? '').split(':').map((d) => join(d, 'ferretdb')),
  ];
  return candidates.find((c): c is string => Boolean(c) && existsSync(c as string)) ?? null;
}

export async function startFerretDb(): Promise<FerretDb | null> {
  const binary = findFerretDbBinary();
  if (!binary) return null;
  const dir = mkdtempSync(join(tmpdir(), 'gt-ferretdb-'));
  const port = await freePort();
  let child: ChildProcess;
  try {
    child = await launchFerretDb(binary, dir, port);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts FerretDB on `port` with its SQLite files in `dir` and resolves once it accepts
 * connections. The same `dir` and `port` again is a restart of the same database (the fault
 * suite stops and restarts it under a running service).
 */
export async function launchFerretDb(binary: string, dir: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    binary,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dir}/`,
      `--state-dir=${dir}`,
      `--listen-addr=127.0.0.1:${port}`,
      '--telemetry=disable',
      '--log-level=error',
      '--debug-addr=-',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let output = '';
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  try {
    await waitForPort(port, child, () => output);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return child;
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`ferretdb exited (${child.exitCode}): ${output()}`);
    if (await accepts(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`ferretdb did not listen on ${port} within 15 s: ${output()}`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
