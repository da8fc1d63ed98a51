/**
 * Witness verdicts (issue 5 item 4): one polecat's health from several signals, never one —
 * the runner's process report, the agent's heartbeat, output activity, time since spawn, hook
 * state and respawn count. Pure: the caller gathers the signals and acts on the verdict
 * (domain/witness-policy.ts says how). A process that exited on a usage limit it reported is
 * `usage-limited`, never a zombie or a crash loop (domain/usage-limit.ts).
 */
export type Verdict = 'healthy' | 'idle' | 'stalled' | 'zombie' | 'crash-loop' | 'usage-limited';

export interface Signals {
  now: Date;
  /** The bead hooked to this polecat now, if any. */
  hookedBead: string | null;
  /** When the current incarnation was spawned (see polecat-signals.ts). */
  spawnedAt: string | null;
  /** The runner's last report about the polecat's process. */
  process: {
    bead: string;
    alive: boolean;
    exit_code: number | null;
    output_at: string;
    reported_at: string;
    started_at?: string;
    pid?: number;
    /** Files left uncommitted in the worktree when the process ended (kept for a person). */
    uncommitted?: number;
    worktree?: string;
    /** Which start of the bead this process is (domain/usage-limit-requeues.ts; absent: the first). */
    incarnation?: number;
    /** On exit: the usage limit the agent reported (agent/liveness.ts). A limit is not a crash. */
    limit?: { reset_at: string | null; message: string };
  } | null;
  heartbeatAt: string | null;
  respawns: number;
  /** Which start of the hooked bead is current: respawns plus limit requeues (absent: `respawns`). */
  incarnation?: number;
}

export interface Thresholds {
  spawnGraceMs: number;
  /** No output and no heartbeat for this long while hooked: stalled. */
  stallMs: number;
  maxRespawns: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { spawnGraceMs: 60_000, stallMs: 180_000, maxRespawns: 3 };

export interface Assessment {
  verdict: Verdict;
  /** One line naming the signals the verdict rests on. */
  why: string;
  /** Whether the witness may act on it (never inside the spawn grace period). */
  actionable: boolean;
  /** Healthy only because it is inside its spawn grace period, with no activity seen yet. */
  provisional?: boolean;
  /** `usage-limited`: the limit the process exited with (what the witness requeues the bead for). */
  limit?: { reset_at: string | null; message: string };
}

const ago = (now: Date, at: string | null): number =>
  at === null ? Number.POSITIVE_INFINITY : now.getTime() - Date.parse(at);
const secs = (ms: number): string => (Number.isFinite(ms) ? `${Math.round(ms / 1000)}s` : 'never');

/** The process report, if it is about the current incarnation (same bead, same start of it). */
export const currentProcess = (s: Signals): Signals['process'] =>
  s.process &&
  s.process.bead === s.hookedBead &&
  (s.process.incarnation ?? 0) === (s.incarnation ?? s.respawns)
    ? s.process
    : null;

export function assess(s: Signals, t: Thresholds = DEFAULT_THRESHOLDS): Assessment {
  // A report about another bead, or about this bead before its latest respawn, comes from a
  // previous incarnation of this name: ignore it (gastown#909, #3998).
  const proc = currentProcess(s);
  const sinceSpawn = ago(s.now, s.spawnedAt);
  const inGrace = sinceSpawn < t.spawnGraceMs;
  if (!s.hookedBead) {
    return {
      verdict: 'idle',
      why: `nothing hooked${proc ? `; process ${proc.alive ? 'alive' : 'gone'}` : ''}`,
      actionable: false,
    };
  }
  if (proc && !proc.alive) {
    const exit = proc.exit_code === null ? 'exit unknown' : `exit ${proc.exit_code}`;
    const gone = `process gone (${exit}, reported ${secs(ago(s.now, proc.reported_at))} ago)`;
    // The agent said why it stopped: its account's usage limit. Not a crash, whatever the respawn
    // count, and actionable at once — it is a statement, not an inference from silence.
    if (proc.limit)
      return {
        verdict: 'usage-limited',
        why: `${gone}: usage limit${proc.limit.reset_at ? ` until ${proc.limit.reset_at}` : ''} (${proc.limit.message})`,
        actionable: true,
        limit: proc.limit,
      };
    // A respawn beyond the limit would only repeat the crash: that is the crash loop.
    if (s.respawns >= t.maxRespawns)
      return {
        verdict: 'crash-loop',
        why: `${gone} after ${s.respawns} respawns of ${s.hookedBead} (limit ${t.maxRespawns})`,
        actionable: !inGrace,
      };
    return {
      verdict: 'zombie',
      why: `${gone} while ${s.hookedBead} is still hooked (respawns ${s.respawns}/${t.maxRespawns})`,
      actionable: !inGrace,
    };
  }
  const outputAge = ago(s.now, proc?.output_at ?? null);
  const beatAge = ago(s.now, s.heartbeatAt);
  const quiet = Math.min(outputAge, beatAge, sinceSpawn);
  const signals = `last output ${secs(outputAge)} ago, last heartbeat ${secs(beatAge)} ago, spawned ${secs(sinceSpawn)} ago`;
  if (quiet > t.stallMs) {
    return {
      verdict: 'stalled',
      why: `hooked to ${s.hookedBead} and quiet: ${signals}`,
      actionable: !inGrace,
    };
  }
  return {
    verdict: 'healthy',
    why: `${inGrace ? 'in spawn grace; ' : ''}${signals}`,
    actionable: false,
    // Healthy only by benefit of the doubt: nothing has shown it works yet.
    ...(inGrace && quietSinceSpawn(outputAge, beatAge, t) ? { provisional: true } : {}),
  };
}

/**
 * No sign of life at all (the stranded scan's test, not the witness's): hooked, past the spawn
 * grace, and neither a report of the current incarnation nor a heartbeat within `staleMs`. That
 * is a polecat nobody is running — its runner is gone too — so waiting for a respawn is futile.
 */
const quietSinceSpawn = (outputAge: number, beatAge: number, t: Thresholds): boolean =>
  outputAge > t.stallMs && beatAge > t.stallMs;

export function isAbandoned(s: Signals, staleMs: number, spawnGraceMs: number): boolean {
  if (!s.hookedBead || ago(s.now, s.spawnedAt) < Math.max(spawnGraceMs, staleMs)) return false;
  return ago(s.now, currentProcess(s)?.reported_at ?? null) > staleMs && ago(s.now, s.heartbeatAt) > staleMs;
}
