import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { atLowPriority, polecatNice } from '../../domain/cpu-priority.ts';
import { gateRetries } from '../../domain/merge-policy.ts';
import type { GateResult } from '../../domain/merge-request.ts';
import { outputTail } from './gate-output.ts';

/**
 * The merge queue's gates: the rig's shell commands (`npm ci`, `npm test`) run in order in the
 * refinery's scratch worktree. Gas Town's gates have no timeouts and fail open (a missing
 * toolchain merged every branch, reference/refinery.md §4.1); ours fail closed: only an exit 0,
 * by itself, in time, passes. Anything else — a non-zero exit, exit 127, a timeout, a signal, a
 * gate that cannot start — fails, with the end of its output as the evidence. A rig may allow
 * flaky-gate retries (MergePolicy.gate_retries): a gate that exited non-zero is run again, and
 * its result says how many runs it took (`runs`), so a flake that passed is on record.
 */

export interface GateRun {
  name: string;
  command: string;
}

export interface GateOptions {
  cwd: string;
  /** Per gate. */
  timeoutMs: number;
  /** The gate's whole environment: the caller builds it (an allow-list); nothing is added. */
  env: NodeJS.ProcessEnv;
  /** The gate's process group, so a journal can reap it after a crash (reapGroup). */
  onStart?: (pgid: number) => void;
}

export interface GatesOptions extends GateOptions {
  /**
   * Reruns of a gate that exited non-zero (the rig's `gate_retries`, 0 to MAX_GATE_RETRIES);
   * absent, 0 or out of range: none. Never for a timeout, exit 126/127 or a failed start
   * (isFlakeCandidate).
   */
  retries?: number | undefined;
  /** Told as each gate starts (1-based `index` of `of`): what the queue is running now. */
  onGate?: ((gate: GateRun, index: number, of: number) => void) | undefined;
}

/** Between SIGTERM and SIGKILL: enough for a test runner to clean up, short for a queue. */
export const GATE_KILL_GRACE_MS = 2_000;

/** A gate passed only when it exited 0 by itself in time. */
export const gatePassed = (r: GateResult): boolean => r.exit === 0 && !r.timed_out;

/**
 * Whether a failed gate may be a flake worth another run: it ran and exited with a code of its
 * own. Not a timeout (a rerun costs another whole timeout), not 127 or 126 (the command is
 * missing or not executable: it will be next time too), not a gate that could not start or was
 * killed by a signal (exit null: stopped from outside — the OOM killer, a person — not failed).
 */
export const isFlakeCandidate = (r: GateResult): boolean =>
  !r.timed_out && typeof r.exit === 'number' && r.exit !== 0 && r.exit !== 126 && r.exit !== 127;

/** Signals a whole process group; false when it is gone (or not ours to signal). */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Kills a process group left behind by a crashed refinery (no error when it is gone). */
export function reapGroup(pgid: number): void {
  // -0 is our own group and -1 every process we may signal: a bad journal entry must not do that.
  if (!Number.isSafeInteger(pgid) || pgid <= 1) throw new RangeError(`not a process group id: ${pgid}`);
  // After a restart our own pid can equal a recorded one: that group is us, not a gate.
  if (pgid === process.pid) return;
  // Nobody waits for an orphaned gate any more: no grace, SIGKILL at once.
  signalGroup(pgid, 'SIGKILL');
}

/** Runs one gate: `bash -c <command>` in its own process group; never throws. */
export function runGate(gate: GateRun, o: GateOptions): Promise<GateResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const output = outputTail();
    const settle = (exit: number | null, timedOut: boolean, note = '') => {
      if (note) output.push(`\n[gt] ${note}\n`);
      resolve({
        name: gate.name,
        command: gate.command,
        exit,
        timed_out: timedOut,
        duration_ms: Math.round(performance.now() - started),
        excerpt: output.text(),
      });
    };
    let child: ChildProcess;
    try {
      child = spawnGate(gate.command, o);
    } catch (err) {
      // Bad arguments (a NUL in the command or the environment) throw before anything starts.
      settle(null, false, `could not start: ${(err as Error).message}`);
      return;
    }
    watchGate(child, o, output.push, settle);
  });
}

/**
 * Runs one gate up to `retries` more times while it fails as a flake might (isFlakeCandidate);
 * the result is its last run's, with `runs` (1 when it ran once). Never throws.
 */
export async function runGateWithRetries(gate: GateRun, o: GatesOptions): Promise<GateResult> {
  // Out of range counts as none, as a stored policy does: a bad value never means more runs.
  const runs = 1 + gateRetries({ gate_retries: o.retries });
  for (let run = 1; ; run++) {
    const result = { ...(await runGate(gate, o)), runs: run };
    if (gatePassed(result) || run >= runs || !isFlakeCandidate(result)) return result;
  }
}

/**
 * Runs gates in order, stopping at the first that does not pass (after its retries, if any);
 * returns every result so far, each with its `runs`. No gates pass vacuously: whether a rig may
 * land without any is its policy's decision (`--gate none`), taken by the caller before it gets
 * here (an unconfigured rig never does).
 */
export async function runGates(
  gates: readonly GateRun[],
  o: GatesOptions,
): Promise<{ passed: boolean; results: GateResult[] }> {
  const results: GateResult[] = [];
  for (const [i, gate] of gates.entries()) {
    o.onGate?.(gate, i + 1, gates.length);
    const result = await runGateWithRetries(gate, o);
    results.push(result);
    if (!gatePassed(result)) return { passed: false, results };
  }
  return { passed: true, results };
}

function spawnGate(command: string, o: GateOptions): ChildProcess {
  // Low priority like a polecat (a build must not starve the service); bash so that `cmd1 && cmd2`,
  // pipes and `$VAR` work as the rig's operator wrote them.
  const [program, ...args] = atLowPriority(['bash', '-c', command], polecatNice(o.env)) as [
    string,
    ...string[],
  ];
  return spawn(program, args, {
    cwd: o.cwd,
    env: o.env,
    detached: true, // a session and process group of its own: a kill reaches all it started
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

type Settle = (exit: number | null, timedOut: boolean, note?: string) => void;

/**
 * Follows a started gate to its end: its timeout, its exit, and whatever it left running. The
 * result waits for its output to close (the last lines are the evidence) but not for ever: a
 * process that escaped the group may hold the pipe.
 */
function watchGate(child: ChildProcess, o: GateOptions, keep: (chunk: Buffer) => void, settle: Settle): void {
  const pgid = child.pid;
  let timedOut = false;
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let settled = false;
  let kill: NodeJS.Timeout | undefined;
  const waits: NodeJS.Timeout[] = [];
  const stopGroup = () => {
    if (pgid === undefined || kill || !signalGroup(pgid, 'SIGTERM')) return;
    kill = setTimeout(() => signalGroup(pgid, 'SIGKILL'), GATE_KILL_GRACE_MS);
  };
  const finish = (exit: number | null, note?: string) => {
    if (settled) return;
    settled = true;
    for (const t of waits) clearTimeout(t);
    // The SIGKILL stays due while something of the group is left; once empty its id may be reused.
    if (kill && (pgid === undefined || !signalGroup(pgid, 0))) clearTimeout(kill);
    child.stdout?.destroy();
    child.stderr?.destroy();
    child.unref();
    settle(exit, timedOut, note);
  };
  const ended = () => {
    if (!exited) return;
    if (timedOut) finish(null, `timed out after ${o.timeoutMs} ms: its process group was killed`);
    else if (exited.code === null) finish(null, `killed by ${exited.signal}`);
    else finish(exited.code);
  };

  child.once('error', (err) => {
    if (pgid !== undefined) return; // only a failed start matters: kills go through signalGroup
    const why = existsSync(o.cwd) ? err.message : `its working directory ${o.cwd} does not exist`;
    finish(null, `could not start: ${why}`);
  });
  if (pgid === undefined) return;
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const onTimeout = () => {
    timedOut = true;
    stopGroup();
    // A process that survives SIGKILL (stuck in the kernel) must not hold the queue: give up on it.
    const giveUp = () =>
      exited ? ended() : finish(null, `timed out after ${o.timeoutMs} ms and would not die`);
    waits.push(setTimeout(giveUp, 2 * GATE_KILL_GRACE_MS));
  };
  const deadline = setTimeout(onTimeout, o.timeoutMs);
  waits.push(deadline);
  child.once('exit', (code, signal) => {
    exited = { code, signal };
    // It ended in time; what it left behind (below) may take the grace, and that is not its lateness.
    if (!timedOut) clearTimeout(deadline);
    // Nothing of a gate outlives it: a server its tests forgot would hold the worktree and the pipes.
    stopGroup();
    waits.push(setTimeout(ended, GATE_KILL_GRACE_MS + 500));
  });
  child.once('close', ended);
  try {
    o.onStart?.(pgid);
  } catch (err) {
    // Unrecorded, a crash would orphan the gate: stop it rather than run it unjournaled.
    stopGroup();
    finish(null, `could not record its process group: ${(err as Error).message}`);
  }
}
