import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { GATE_EXCERPT_CHARS, type GateResult } from '../../src/domain/merge-request.ts';
import {
  GATE_KILL_GRACE_MS,
  type GatesOptions,
  gatePassed,
  reapGroup,
  runGate,
  runGates,
  runGateWithRetries,
} from '../../src/services/refinery/gate-runner.ts';
import { waitFor } from './runner-process.ts';

/**
 * Alive and not a zombie: a killed gate's grandchildren are reparented to PID 1, and where PID 1
 * does not reap (some containers) they stay zombies — dead, but `kill(pid, 0)` still succeeds.
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Pids a gate wrote, one a line, once it wrote `count` of them. */
async function pidsIn(file: string, count: number): Promise<number[]> {
  const read = () =>
    existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number) : [];
  await waitFor(
    () => read().length >= count,
    10_000,
    () => `pids in ${file}: ${read().join(' ')}`,
  );
  return read();
}

describe('gate runner (real processes)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-gates-'));
  /** What a rig's caller would pass: an allow-list, here just enough to find bash and coreutils. */
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' };
  const opts = (more: Partial<GatesOptions> = {}): GatesOptions => ({
    cwd: dir,
    timeoutMs: 30_000,
    env,
    ...more,
  });
  /** Process groups a failed test may leave behind. */
  const groups: number[] = [];
  const track = (pgid: number) => groups.push(pgid);

  afterAll(() => {
    for (const pgid of groups) reapGroup(pgid);
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes a gate that exits 0, in its cwd, with exactly the environment it was given', async () => {
    const r = await runGate({ name: 'env', command: 'pwd; echo "vitest=$VITEST path=$PATH"' }, opts());
    expect(r).toMatchObject({ name: 'env', exit: 0, timed_out: false });
    expect(gatePassed(r)).toBe(true);
    expect(r.excerpt).toContain(dir);
    // The runner's own environment (here a variable the test process has) never leaks in.
    expect(process.env.VITEST).toBeDefined();
    expect(r.excerpt).toContain(`vitest= path=${env.PATH}\n`);
  });

  it('fails exit 3 with the end of its stdout and stderr, and measures how long it ran', async () => {
    const command =
      'for i in $(seq 1 2000); do echo "line $i"; done; echo "boom on stderr" >&2; sleep 0.2; exit 3';
    const r = await runGate({ name: 'test', command }, opts());
    expect(r).toMatchObject({ exit: 3, timed_out: false, command });
    expect(gatePassed(r)).toBe(false);
    expect(r.excerpt.length).toBeLessThanOrEqual(GATE_EXCERPT_CHARS);
    expect(r.excerpt).toContain('line 2000\n');
    expect(r.excerpt).toContain('boom on stderr');
    expect(r.excerpt).not.toContain('line 1\n');
    expect(r.duration_ms).toBeGreaterThanOrEqual(200);
  });

  it('fails a command that does not exist (exit 127) and names it: a missing tool never passes', async () => {
    const r = await runGate({ name: 'lint', command: 'no-such-tool --x' }, opts());
    expect(r.exit).toBe(127);
    expect(gatePassed(r)).toBe(false);
    expect(r.excerpt).toMatch(/no-such-tool: command not found/);
  });

  it('fails a gate that cannot start (its cwd is missing) with a clear excerpt, without throwing', async () => {
    const cwd = join(dir, 'gone');
    const r = await runGate({ name: 'test', command: 'true' }, opts({ cwd, onStart: track }));
    expect(r).toMatchObject({ exit: null, timed_out: false });
    expect(gatePassed(r)).toBe(false);
    expect(r.excerpt).toContain(`could not start: its working directory ${cwd} does not exist`);
  });

  /** How long a trivial gate takes here and now: the margin for "promptly" on this machine. */
  const margin = async () => {
    const r = await runGate({ name: 'probe', command: 'exit 0' }, opts());
    return 4 * r.duration_ms + 1_000;
  };

  const killedAtTimeout = async (
    command: string,
    pidFile: string,
    pidCount: number,
    graceExpected: boolean,
  ) => {
    const timeoutMs = 2_000;
    const slack = await margin();
    const started = performance.now();
    const pending = runGate({ name: 'hang', command }, opts({ timeoutMs, onStart: track }));
    const pids = await pidsIn(pidFile, pidCount);
    const r = await pending;
    const elapsed = performance.now() - started;
    expect(r).toMatchObject({ exit: null, timed_out: true });
    expect(gatePassed(r)).toBe(false);
    expect(r.excerpt).toContain(`timed out after ${timeoutMs} ms`);
    expect(elapsed).toBeGreaterThanOrEqual(timeoutMs);
    expect(elapsed).toBeLessThan(timeoutMs + (graceExpected ? GATE_KILL_GRACE_MS : 0) + slack);
    if (graceExpected) expect(elapsed).toBeGreaterThanOrEqual(timeoutMs + GATE_KILL_GRACE_MS);
    // The whole group went: bash and every sleep it started.
    await waitFor(
      () => pids.every((pid) => !alive(pid)),
      10_000,
      () => `alive: ${pids.filter(alive).join(' ')}`,
    );
  };

  it('kills a hanging gate and its grandchildren at its timeout (SIGTERM to the group)', async () => {
    const pidFile = join(dir, 'hang.pids');
    await killedAtTimeout(
      `echo $$ > ${pidFile}; sleep 600 & echo $! >> ${pidFile}; sleep 600 & echo $! >> ${pidFile}; wait`,
      pidFile,
      3,
      false,
    );
  });

  it('kills a gate that ignores SIGTERM with SIGKILL after the grace, grandchildren too', async () => {
    const pidFile = join(dir, 'stubborn.pids');
    await killedAtTimeout(
      `trap '' TERM; echo $$ > ${pidFile}; sleep 600 & echo $! >> ${pidFile}; sleep 600 & echo $! >> ${pidFile}; wait`,
      pidFile,
      3,
      true,
    );
  });

  it('does not let what a passing gate left running outlive it', async () => {
    const pidFile = join(dir, 'leftover.pids');
    const r = await runGate(
      { name: 'test', command: `sleep 600 & echo $! > ${pidFile}; echo done` },
      opts({ onStart: track }),
    );
    expect(gatePassed(r)).toBe(true);
    const [pid] = await pidsIn(pidFile, 1);
    await waitFor(
      () => !alive(pid as number),
      10_000,
      () => `leftover ${pid} alive`,
    );
  });

  it('passes a gate that exited 0 in time even when what it left behind takes longer to kill', async () => {
    const pidFile = join(dir, 'stubborn-leftover.pids');
    // The leftover ignores SIGTERM and holds the output pipe until SIGKILL, past the gate's timeout.
    const command = `(trap '' TERM; sleep 600) & echo $! > ${pidFile}; echo tests ok`;
    const r = await runGate({ name: 'test', command }, opts({ timeoutMs: 500, onStart: track }));
    expect(r).toMatchObject({ exit: 0, timed_out: false });
    expect(gatePassed(r)).toBe(true);
    expect(r.excerpt).toBe('tests ok\n');
    const [pid] = await pidsIn(pidFile, 1);
    await waitFor(
      () => !alive(pid as number),
      10_000,
      () => `leftover ${pid} alive`,
    );
  });

  it('keeps only the tail of a gate that prints 50 MB, in bounded memory', async () => {
    const command = "head -c 50000000 /dev/zero | tr '\\0' x; echo; echo the-very-end; sleep 0.3";
    const { r, live } = await gateInFreshNode(command, dir, env);
    expect(gatePassed(r)).toBe(true);
    expect(r.excerpt.length).toBe(GATE_EXCERPT_CHARS);
    expect(r.excerpt.endsWith('x\nthe-very-end\n')).toBe(true);
    // Kept, the output would be 50 MB or more; what is reachable is only chunks in flight (a few MB).
    expect(live).toBeLessThan(25_000_000);
  });

  it('runs gates in order at low priority, reports each process group, stops at the first failure', async () => {
    const marker = join(dir, 'third-ran');
    const started: number[] = [];
    // Each gate prints its own process group (field 5 of /proc/$$/stat) and its nice value.
    const report = 'echo "pgid=$(cut -d" " -f5 /proc/$$/stat) nice=$(nice)"';
    const { passed, results } = await runGates(
      [
        { name: 'setup', command: report },
        { name: 'test', command: `${report}; exit 3` },
        { name: 'build', command: `touch ${marker}` },
      ],
      opts({ onStart: (pgid) => started.push(pgid) }),
    );
    expect(passed).toBe(false);
    expect(results.map((r) => [r.name, r.exit])).toEqual([
      ['setup', 0],
      ['test', 3],
    ]);
    expect(existsSync(marker)).toBe(false);
    const expectedNice = Math.min(getPriority() + 10, 19);
    expect(results.map((r) => r.excerpt.trim())).toEqual(
      started.map((g) => `pgid=${g} nice=${expectedNice}`),
    );
    expect(started).toHaveLength(2);
  });

  it('passes a run of passing gates; GT_POLECAT_NICE=0 in their environment keeps their priority', async () => {
    const { passed, results } = await runGates(
      [
        { name: 'a', command: 'nice' },
        { name: 'b', command: 'true' },
      ],
      opts({ env: { ...env, GT_POLECAT_NICE: '0' } }),
    );
    expect(passed).toBe(true);
    expect(results.map(gatePassed)).toEqual([true, true]);
    expect(results[0]?.excerpt.trim()).toBe(String(getPriority()));
  });

  it('fails the gate when its process group cannot be recorded, and stops it', async () => {
    let pgid = 0;
    const r = await runGate(
      { name: 'test', command: 'sleep 600' },
      opts({
        onStart: (started) => {
          pgid = started;
          throw new Error('journal disk full');
        },
      }),
    );
    expect(r).toMatchObject({ exit: null, timed_out: false });
    expect(gatePassed(r)).toBe(false);
    expect(r.excerpt).toContain('journal disk full');
    await waitFor(
      () => !alive(pgid),
      10_000,
      () => `gate ${pgid} alive`,
    );
  });

  it('reaps a process group left by a crashed refinery, and shrugs at one that is gone', async () => {
    const orphan = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
    const pgid = orphan.pid as number;
    track(pgid);
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      orphan.once('exit', (_c, s) => resolve(s)),
    );
    reapGroup(pgid);
    expect(await exited).toBe('SIGKILL');
    expect(() => reapGroup(pgid)).not.toThrow();
    expect(() => reapGroup(0)).toThrow(RangeError);
    expect(() => reapGroup(-1)).toThrow(RangeError);
  });

  describe('flaky-gate retries', () => {
    let counters = 0;
    /** A fresh counter file: each run of a gate appends a line to it, so its lines are its runs. */
    const counter = () => join(dir, `runs-${++counters}`);
    const runsIn = (file: string) =>
      existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
    /** A gate that counts its run in `file`, prints `run <n>`, then runs `tail` (which sees `$n`). */
    const counted = (file: string, tail: string) =>
      `echo x >> ${file}; n=$(wc -l < ${file}); echo "run $n"; ${tail}`;

    it('passes a gate that fails once then passes, with retries=1: runs=2, each run journaled', async () => {
      const file = counter();
      const started: number[] = [];
      const { passed, results } = await runGates(
        [
          { name: 'flaky', command: counted(file, '[ "$n" -ge 2 ] || exit 1') },
          { name: 'steady', command: 'true' },
        ],
        opts({ retries: 1, onStart: (pgid) => started.push(pgid) }),
      );
      expect(passed).toBe(true);
      expect(results).toMatchObject([
        { name: 'flaky', exit: 0, timed_out: false, runs: 2, excerpt: 'run 2\n' },
        { name: 'steady', exit: 0, runs: 1 },
      ]);
      expect(runsIn(file)).toBe(2);
      // Every run is a process group of its own, reported so a crash can reap it.
      expect(started).toHaveLength(3);
    });

    it('fails the same gate at once with retries=0 (the default): runs=1, nothing after it runs', async () => {
      for (const retries of [0, undefined]) {
        const file = counter();
        const marker = join(dir, `after-${counters}`);
        const { passed, results } = await runGates(
          [
            { name: 'flaky', command: counted(file, '[ "$n" -ge 2 ] || exit 1') },
            { name: 'after', command: `touch ${marker}` },
          ],
          opts(retries === undefined ? {} : { retries }),
        );
        expect(passed).toBe(false);
        expect(results).toMatchObject([{ name: 'flaky', exit: 1, runs: 1 }]);
        expect(results).toHaveLength(1);
        expect(runsIn(file)).toBe(1);
        expect(existsSync(marker)).toBe(false);
      }
    });

    it('runs a gate that always fails exactly retries+1 times, and reports its last run', async () => {
      const file = counter();
      const r = await runGateWithRetries(
        { name: 'broken', command: counted(file, 'exit 3') },
        opts({ retries: 2 }),
      );
      expect(r).toMatchObject({ exit: 3, timed_out: false, runs: 3, excerpt: 'run 3\n' });
      expect(gatePassed(r)).toBe(false);
      expect(runsIn(file)).toBe(3);
    });

    it('does not rerun a gate that timed out', async () => {
      const file = counter();
      const r = await runGateWithRetries(
        { name: 'hang', command: counted(file, 'sleep 600') },
        opts({ retries: 3, timeoutMs: 300, onStart: track }),
      );
      expect(r).toMatchObject({ exit: null, timed_out: true, runs: 1 });
      expect(runsIn(file)).toBe(1);
    });

    it('does not rerun a missing command (127), a command it may not run (126), or a killed gate', async () => {
      const notExecutable = join(dir, 'not-executable.sh');
      writeFileSync(notExecutable, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
      for (const [tail, exit] of [
        ['no-such-tool --x', 127],
        [notExecutable, 126],
        ['kill -KILL $$', null],
      ] as const) {
        const file = counter();
        const r = await runGateWithRetries({ name: 'g', command: counted(file, tail) }, opts({ retries: 3 }));
        expect(r, tail).toMatchObject({ exit, timed_out: false, runs: 1 });
        expect(runsIn(file), tail).toBe(1);
      }
    });

    it('reruns nothing for a retry count out of range (a bad value never means more runs)', async () => {
      for (const retries of [-1, 1.5, 9, Number.NaN]) {
        const file = counter();
        const r = await runGateWithRetries(
          { name: 'g', command: counted(file, 'exit 1') },
          opts({ retries }),
        );
        expect(r, String(retries)).toMatchObject({ exit: 1, runs: 1 });
        expect(runsIn(file)).toBe(1);
      }
    });
  });
});

/**
 * Runs one gate in a Node process of its own with `--expose-gc`, and reports the most memory that
 * stayed reachable (after a full GC) while it ran. Without the GC, the pipe's chunks awaiting
 * collection make any peak meaningless; in a process of its own, the test worker's V8 is untouched.
 */
async function gateInFreshNode(
  command: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ r: GateResult; live: number }> {
  const runner = pathToFileURL(join(import.meta.dirname, '../../src/services/refinery/gate-runner.ts')).href;
  const script = `
    const { runGate } = await import(${JSON.stringify(runner)});
    // Freed buffers' memory is returned by a sweeper running beside the program: collect, let it
    // run, collect again — otherwise a busy machine measures garbage not yet swept, not what is kept.
    const settle = () => new Promise((r) => setImmediate(r));
    const used = async () => { gc(); await settle(); gc(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
    const base = await used();
    let live = 0;
    let sampling = false;
    const sample = setInterval(async () => {
      if (sampling) return;
      sampling = true;
      live = Math.max(live, (await used()) - base);
      sampling = false;
    }, 25);
    const opts = { cwd: ${JSON.stringify(cwd)}, timeoutMs: 60000, env: ${JSON.stringify(env)} };
    const r = await runGate({ name: 'noisy', command: ${JSON.stringify(command)} }, opts);
    clearInterval(sample);
    console.log(JSON.stringify({ r, live }));`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--input-type=module', '-e', script],
    { maxBuffer: 1_000_000 },
  );
  return JSON.parse(stdout) as { r: GateResult; live: number };
}
