import type { Bead } from './bead.ts';
import { usageError } from './errors.ts';

/**
 * A plan: a person's goal, turned by the Mayor into beads and one staged convoy, waiting for a
 * person to launch, revise or discard it. It is a town-level `decision` bead (a person decides
 * it; nobody slings it) labelled `plan`, whose description is the goal as written. Its machine
 * state lives in labels, so both ledgers hold and query it the same way:
 *
 *  - `plan-state:queued` (waiting for the Mayor, open), `planning` (on the Mayor's hook),
 *    `ready` (a staged convoy waits for a person, open); a closed plan says why in its reason
 *    (`Launched by …`, `Discarded by …`, `Failed: …`);
 *  - `plan-convoy:<id>` once the Mayor staged one; `plan-rig:<r>` per rig asked for;
 *    `plan-formula:<name>` when a formula was asked for;
 *  - `plan-round:<n>` and `plan-since:<iso>`: the Mayor's current round (the first plan is round
 *    1, each revision one more) and when it started — what the round made is what a failed
 *    round takes back.
 */
export const PLAN_LABEL = 'plan';
export const MAX_GOAL = 2_000;

export type PlanState = 'queued' | 'planning' | 'ready' | 'launched' | 'discarded' | 'failed';

const STATE = 'plan-state:';
const CONVOY = 'plan-convoy:';
const RIG = 'plan-rig:';
const FORMULA = 'plan-formula:';
const ROUND = 'plan-round:';
const SINCE = 'plan-since:';

export const isPlan = (b: Pick<Bead, 'issue_type' | 'labels'>): boolean =>
  b.issue_type === 'decision' && b.labels.includes(PLAN_LABEL);

const labelValue = (labels: readonly string[], prefix: string): string | null =>
  labels.find((l) => l.startsWith(prefix))?.slice(prefix.length) || null;

export interface PlanFacts {
  state: PlanState;
  goal: string;
  rigs: string[];
  formula: string | null;
  convoy: string | null;
  round: number;
  /** When the current round started (null before the Mayor first took it). */
  since: string | null;
  /** Who asked (the bead's author). */
  requester: string;
}

/** Launched/discarded/failed read from the close reason, which says so first. */
function closedState(reason: string): PlanState {
  if (reason.startsWith('Launched')) return 'launched';
  if (reason.startsWith('Discarded')) return 'discarded';
  return 'failed';
}

export function planFacts(b: Bead): PlanFacts {
  const state =
    b.status === 'closed'
      ? closedState(b.close_reason)
      : ((labelValue(b.labels, STATE) ?? 'queued') as PlanState);
  return {
    state,
    goal: b.description,
    rigs: b.labels.filter((l) => l.startsWith(RIG)).map((l) => l.slice(RIG.length)),
    formula: labelValue(b.labels, FORMULA),
    convoy: labelValue(b.labels, CONVOY),
    round: Number(labelValue(b.labels, ROUND) ?? 0),
    since: labelValue(b.labels, SINCE),
    requester: b.created_by,
  };
}

/** The goal as the Mayor will read it: trimmed, not empty, not over MAX_GOAL characters. */
export function parseGoal(raw: unknown): string {
  const goal = typeof raw === 'string' ? raw.trim() : '';
  if (goal === '')
    throw usageError('empty_goal', 'give the goal in words, e.g. gt plan "add search to the docs site"');
  if (goal.length > MAX_GOAL)
    throw usageError(
      'goal_too_long',
      `the goal is ${goal.length} characters, over ${MAX_GOAL}: use at most ${MAX_GOAL}, and put the details in a bead or a file the Mayor can read`,
    );
  return goal;
}

/** The title of a plan bead: its goal's first line, shortened. */
export const planTitle = (goal: string): string => {
  const line = goal.split('\n')[0]?.trim() ?? '';
  return `Plan: ${line.length > 120 ? `${line.slice(0, 117)}…` : line}`;
};

export const newPlanLabels = (rigs: readonly string[], formula: string | null): string[] => [
  PLAN_LABEL,
  `${STATE}queued`,
  ...rigs.map((r) => `${RIG}${r}`),
  ...(formula ? [`${FORMULA}${formula}`] : []),
];

/** Labels to swap for a state change: [add, remove] given the bead's current labels. */
export function stateChange(labels: readonly string[], next: 'queued' | 'planning' | 'ready') {
  return {
    add_labels: [`${STATE}${next}`],
    remove_labels: labels.filter((l) => l.startsWith(STATE) && l !== `${STATE}${next}`),
  };
}

/** The labels a new round of the Mayor carries (replacing the last round's). */
export function roundChange(labels: readonly string[], round: number, since: string) {
  const { add_labels, remove_labels } = stateChange(labels, 'planning');
  return {
    add_labels: [...add_labels, `${ROUND}${round}`, `${SINCE}${since}`],
    remove_labels: [
      ...remove_labels,
      ...labels.filter((l) => (l.startsWith(ROUND) || l.startsWith(SINCE)) && !l.endsWith(since)),
    ],
  };
}

/** Labels linking the plan to its convoy (a revision that staged a new one replaces the old). */
export function convoyChange(labels: readonly string[], convoy: string) {
  return {
    add_labels: [`${CONVOY}${convoy}`],
    remove_labels: labels.filter((l) => l.startsWith(CONVOY) && l !== `${CONVOY}${convoy}`),
  };
}

export const convoyLabel = (convoy: string): string => `${CONVOY}${convoy}`;

/** How a plan's close reason starts for each ending (planFacts reads it back). */
export const launchedReason = (by: string, convoy: string): string => `Launched by ${by} as convoy ${convoy}`;
export const discardedReason = (by: string, why: string | undefined): string =>
  `Discarded by ${by}${why ? `: ${why}` : ''}`;
export const failedReason = (why: string): string => `Failed: ${why}`;

/** Made in this round: by the Mayor, at or after the round started. */
export const madeInRound = (
  b: Pick<Bead, 'created_by' | 'created_at'>,
  mayor: string,
  since: string,
): boolean => b.created_by === mayor && b.created_at >= since;

/** A person's revision, kept on the plan as a comment (the Mayor's next prompt quotes the latest). */
const REVISION = 'Revision asked by ';
export const revisionComment = (by: string, text: string): string => `${REVISION}${by}: ${text}`;
export const revisionText = (comment: string): string | null =>
  comment.startsWith(REVISION) ? comment.slice(comment.indexOf(': ') + 2) : null;

/** What the last round said when it failed and the plan went back to review (a comment). */
export const roundFailedNote = (round: number, why: string): string => `Round ${round} failed: ${why}`;

/** Why a plan closed beads it made (discarded, a failed round, a replaced convoy): `Plan <id>: …`. */
export const planCleanupReason = (plan: string, why: string): string => `Plan ${plan}: ${why}`;
export const isPlanCleanup = (reason: string): boolean => /^Plan [^\s:]+: /.test(reason);
