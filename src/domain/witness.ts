/**
 * Witness verdicts (issue 5 item 4): one polecat's health from several signals, never one —
 * the runner's process report, the agent's heartbeat, output activity, time since spawn, hook
 * state and respawn count. Pure: the caller gathers the signals and acts on the verdict.
 */
export type Verdict = 'healthy' | 'idle' | 'stalled' | 'zombie' | 'crash-loop';

export interface Signals {
  now: Date;
  /** The bead hooked to this polecat now, if any. */
  hookedBead: string | null;
  /** When the polecat's slot was taken (its spawn). */
  spawnedAt: string | null;
  /** The runner's last report about the polecat's process. */
  process: {
    bead: string;
    alive: boolean;
    exit_code: number | null;
    output_at: string;
    reported_at: string;
  } | null;
  heartbeatAt: string | null;
  respawns: number;
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
}

const ago = (now: Date, at: string | null): number =>
  at === null ? Number.POSITIVE_INFINITY : now.getTime() - Date.parse(at);
const secs = (ms: number): string => (Number.isFinite(ms) ? `${Math.round(ms / 1000)}s` : 'never');

export function assess(s: Signals, t: Thresholds = DEFAULT_THRESHOLDS): Assessment {
  // A report about another bead comes from a previous incarnation of this name: ignore it (gastown#909).
  const proc = s.process && s.process.bead === s.hookedBead ? s.process : null;
  const sinceSpawn = ago(s.now, s.spawnedAt);
  const inGrace = sinceSpawn < t.spawnGraceMs;
  if (!s.hookedBead) {
    return {
      verdict: 'idle',
      why: `nothing hooked${proc ? `; process ${proc.alive ? 'alive' : 'gone'}` : ''}`,
      actionable: false,
    };
  }
  if (s.respawns > t.maxRespawns) {
    return {
      verdict: 'crash-loop',
      why: `${s.respawns} respawns of ${s.hookedBead} (limit ${t.maxRespawns})`,
      actionable: !inGrace,
    };
  }
  if (proc && !proc.alive) {
    const exit = proc.exit_code === null ? 'exit unknown' : `exit ${proc.exit_code}`;
    return {
      verdict: 'zombie',
      why: `process gone (${exit}, reported ${secs(ago(s.now, proc.reported_at))} ago) while ${s.hookedBead} is still hooked`,
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
  return { verdict: 'healthy', why: `${inGrace ? 'in spawn grace; ' : ''}${signals}`, actionable: false };
}
