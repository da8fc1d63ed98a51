/**
 * Polecats run at a lower CPU priority (nice 10, inherited by what they start): on a saturated
 * machine the coordination plane — service, runners, their git work — must stay responsive, or
 * every close waits behind agents' builds before the next bead is fed. An agent waiting on a
 * model API is not slowed by it. GT_POLECAT_NICE=0 turns it off. The merge queue's gates run at
 * the same priority (services/refinery/gate-runner.ts): that is why this pure helper lives in domain/.
 */
export function polecatNice(env: NodeJS.ProcessEnv): number {
  const nice = Number(env.GT_POLECAT_NICE ?? 10);
  return Number.isInteger(nice) && nice > 0 ? Math.min(nice, 19) : 0;
}

/**
 * The command line that runs `argv` at `nice`, for a process started in a session of its own.
 *
 * Linux puts every new session in its own scheduling "autogroup" (sched_autogroup_enabled, on by
 * default) and shares the CPU fairly between autogroups; a nice value only counts inside its
 * group. A polecat gets a session of its own (so its whole process group can be stopped), so
 * `nice` alone did nothing: fifty polecats were fifty equal groups beside the service's one, and
 * the service waited ~90% of its time in the run queue (fleet benchmark). So the session leader
 * first gives its own autogroup the nice value (best effort: no autogroups, no file), then execs
 * `nice` (coreutils) — both before the agent starts, so nothing it runs escapes them.
 */
export function atLowPriority(argv: string[], nice: number): string[] {
  if (nice <= 0) return argv;
  const script = '{ echo "$0" > /proc/self/autogroup; } 2>/dev/null; exec nice -n "$0" "$@"';
  return ['sh', '-c', script, String(nice), ...argv];
}
