import type { Assessment } from './witness.ts';

/**
 * What the witness does about a verdict (issue 5 item 4). Restart-first like Gas Town's witness,
 * but never on one signal and never twice for one observation:
 *  - stalled: nudge once; if the polecat is still stalled `escalateAfterMs` after the nudge,
 *    escalate with a reassignment proposal (a person decides; the witness never moves work),
 *  - zombie: respawn while the bead's respawn count is under the limit, else escalate,
 *  - crash-loop: stop the polecat and escalate,
 *  - usage-limited: NEVER respawn — the agent would run into the same wall. Give the bead back
 *    to the queue and pause the rig (`gt polecat limited`, domain/usage-limit.ts). The runner
 *    does that itself before it reports the exit; the witness only does it when that call failed
 *    (same verb, a compare-and-swap on the hook: whichever comes second finds nothing to do),
 *  - anything inside the spawn grace period, healthy or idle: nothing;
 *  - quiet while it waits for a person to answer its permission request (domain/approval.ts):
 *    not stalled, waiting — its own state, left alone until the answer or its deadline.
 */
export type WitnessAction =
  | 'none'
  | 'nudge'
  | 'escalate-stalled'
  | 'respawn'
  | 'stop-and-escalate'
  | 'requeue-limited';

export interface StallMemory {
  /** When this polecat was nudged about this bead's stall (null: not yet). */
  nudgedAt: string | null;
}

export function decideAction(
  a: Assessment,
  memory: StallMemory,
  now: Date,
  escalateAfterMs: number,
  waitingOnPerson = false,
): WitnessAction {
  // First, whatever else holds: a limited agent is never respawned, stopped or escalated.
  if (a.verdict === 'usage-limited') return 'requeue-limited';
  if (!a.actionable) return 'none';
  if (waitingOnPerson && a.verdict === 'stalled') return 'none';
  switch (a.verdict) {
    case 'stalled':
      if (memory.nudgedAt === null) return 'nudge';
      return now.getTime() - Date.parse(memory.nudgedAt) >= escalateAfterMs ? 'escalate-stalled' : 'none';
    case 'zombie':
      return 'respawn';
    case 'crash-loop':
      return 'stop-and-escalate';
    default:
      return 'none';
  }
}
