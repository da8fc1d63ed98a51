import type { IssueType, Priority } from '../bead.ts';
import type { ExpandedFormula, ExpandedStep } from './types.ts';

/**
 * What running a formula writes, decided before anything is written (so a formula that cannot
 * be cooked writes nothing): the root epic, one bead per step — children under their
 * container, the root's otherwise — and the blocking edges of `needs`. A human gate is a bead a
 * person closes, never a polecat: a `decision`, which no one slings. A step written as
 * `type = "human"` is that decision itself; a step with `gate = { type = "human" }` is work whose
 * dependents wait on a decision after it (`<step>.approval`: a person approves what was done).
 * Each bead carries `formula-step:<id>` (its readable alias within the run) and the run's label.
 */
export interface CookBead {
  /** The step id (or `<step>.approval` for a gate). */
  key: string;
  /** The key of the bead it is created under; null: the root epic. */
  parent: string | null;
  title: string;
  description: string;
  acceptance: string;
  type: IssueType;
  priority: Priority;
  labels: string[];
}

export interface CookPlan {
  root: { title: string; description: string; labels: string[] };
  /** Parents before children. */
  beads: CookBead[];
  /** `[dependent key, dependency key]`: blocking edges. */
  edges: Array<[string, string]>;
}

export const STEP_LABEL = 'formula-step:';
export const formulaLabel = (name: string): string => `formula:${name}`;

/** Refused before anything is written: what running cannot do yet, and why. */
export function unsupportedForRun(f: ExpandedFormula): string | null {
  const timer = f.steps.find((s) => s.gate?.type === 'timer');
  return timer
    ? `step ${timer.id} has a timer gate: timer gates open with gt gate, which is not built yet`
    : null;
}

export function cookPlan(f: ExpandedFormula, source: { hash: string }): CookPlan {
  const fields = [
    `Formula: ${f.name}`,
    `Version: ${f.version}`,
    `Hash: ${source.hash}`,
    ...Object.entries(f.vars).map(([k, v]) => `Var ${k}: ${v}`),
  ];
  const beads: CookBead[] = [];
  const edges: Array<[string, string]> = [];
  // A gated step's dependents wait on its approval, not on the step itself.
  const approvalOf = new Map<string, string>();
  for (const step of f.steps) {
    beads.push(stepBead(f, step));
    if (step.gate?.type === 'human' && !isHumanStep(step)) {
      const approval = `${step.id}.approval`;
      beads.push(approvalBead(f, step, approval));
      edges.push([approval, step.id]);
      approvalOf.set(step.id, approval);
    }
  }
  for (const step of f.steps)
    for (const need of step.needs) edges.push([step.id, approvalOf.get(need) ?? need]);
  return {
    root: {
      title: f.description.split('\n')[0]?.trim() || f.name,
      description: [f.description, '', ...fields].join('\n').trim(),
      labels: [formulaLabel(f.name)],
    },
    beads,
    edges,
  };
}

/** A step that is itself the person's decision (`type = "human"`): no separate approval bead. */
const isHumanStep = (s: ExpandedStep): boolean => s.labels.includes('formula-type:human');

function stepBead(f: ExpandedFormula, s: ExpandedStep): CookBead {
  const human = s.gate?.type === 'human' && isHumanStep(s);
  return {
    key: s.id,
    parent: s.parent ?? null,
    title: s.title,
    description: [s.description, s.notes].filter(Boolean).join('\n\n'),
    acceptance: s.acceptance ?? '',
    type: human ? 'decision' : s.type,
    priority: s.priority as Priority,
    labels: [...s.labels, `${STEP_LABEL}${s.id}`, formulaLabel(f.name)],
  };
}

function approvalBead(f: ExpandedFormula, s: ExpandedStep, key: string): CookBead {
  return {
    key,
    parent: s.parent ?? null,
    title: `Approve: ${s.title}`,
    description: `A person approves ${s.id} before what depends on it starts (a human gate of formula ${f.name}).`,
    acceptance: '',
    type: 'decision',
    priority: s.priority as Priority,
    labels: [`${STEP_LABEL}${key}`, formulaLabel(f.name), 'gate:human'],
  };
}
