import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { atLowPriority, polecatNice } from '../domain/cpu-priority.ts';

export interface PolecatProcess {
  pid: number;
  startedAt: string;
  /** When it last wrote output: an activity signal for the witness. */
  lastOutputAt(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Stops the whole process group (the agent and whatever it started). */
  stop(): void;
}

export interface PolecatOptions {
  /**
   * Each piece of stdout as it arrives, decoded (a character split across reads is held back
   * until whole): what the rig's output parser reads. Stderr is logged only.
   */
  onOutput?: (chunk: string) => void;
}

const STOP_GRACE_MS = 5_000;

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Hands stdout to `onOutput` as text; a reader that throws loses its chunk, never the polecat. */
function readOutput(
  stdout: NodeJS.ReadableStream | null,
  onOutput: ((chunk: string) => void) | undefined,
): void {
  if (!stdout || !onOutput) return;
  const decoder = new StringDecoder('utf8');
  const hand = (text: string) => {
    if (!text) return;
    try {
      onOutput(text);
    } catch {
      // the reader's fault, not the agent's: the log still has everything
    }
  };
  stdout.on('data', (chunk: Buffer) => hand(decoder.write(chunk)));
  stdout.on('end', () => hand(decoder.end()));
}

/**
 * Starts a polecat: `bash -c <command>` in its worktree, in its own process group, output to a
 * log file (and stdout to `onOutput` as it streams). The environment carries its identity
 * (GT_AGENT, GT_RIG, GT_BEAD, GT_BRANCH…).
 */
export function startPolecat(
  command: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  logPath: string,
  options: PolecatOptions = {},
): PolecatProcess {
  // Owner-only: an agent's output can hold anything it read (code, keys, customer data).
  mkdirSync(dirname(logPath), { recursive: true, mode: 0o700 });
  const log = createWriteStream(logPath, { flags: 'a', mode: 0o600 });
  const [program, ...args] = atLowPriority(['bash', '-c', command], polecatNice(env)) as [
    string,
    ...string[],
  ];
  const child = spawn(program, args, {
    cwd,
    env,
    detached: true, // its own session and process group, so stop() reaches everything it started
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  readOutput(child.stdout, options.onOutput);
  const startedAt = new Date().toISOString();
  let outputAt = startedAt;
  const touch = () => {
    outputAt = new Date().toISOString();
  };
  child.stdout?.on('data', touch);
  child.stderr?.on('data', touch);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // Exited once the log holds everything the process wrote: whoever reads it next (the exit
    // report, a person, a test) sees the last lines, not a buffer still being flushed.
    child.once('error', (err) => {
      log.end(`\n[gt] could not start: ${err.message}\n`, () => resolve({ code: 127, signal: null }));
    });
    child.once('close', (code, signal) => {
      log.end(`\n[gt] exited code=${code} signal=${signal}\n`, () => resolve({ code, signal }));
    });
  });
  return {
    pid: child.pid ?? -1,
    startedAt,
    lastOutputAt: () => outputAt,
    exited,
    stop: () => {
      if (!child.pid || child.exitCode !== null) return;
      signalGroup(child.pid, 'SIGTERM');
      // An agent that ignores SIGTERM is killed: a stop order must end the process.
      const kill = setTimeout(() => signalGroup(child.pid as number, 'SIGKILL'), STOP_GRACE_MS);
      void exited.then(() => clearTimeout(kill));
    },
  };
}
