import type { IssueType, Priority } from '../bead.ts';
import { timerGateLabels } from '../timer-gate.ts';
import type { ExpandedFormula, ExpandedStep } from './types.ts';

/**
 * What running a formula writes, decided before anything is written (so a formula that cannot
 * be cooked writes nothing): the root epic, one bead per step — children under their
 * container, the root's otherwise — and the blocking edges of `needs`. A human gate is a bead a
 * person closes, never a polecat: a `decision`, which no one slings. A step written as
 * `type = "human"` is that decision itself; a step with `gate = { type = "human" }` is work whose
 * dependents wait on a decision after it (`<step>.approval`: a person approves what was done).
 * A step with `gate = { type = "timer", timeout = "1h" }` is work followed the same way by a
 * `decision` `<step>.timer` that the service closes once the timeout has passed since the run was
 * poured and the step is done (domain/timer-gate.ts). A human gate's `timeout` is informational.
 * Each bead carries `formula-step:<id>` (its readable alias within the run) and the run's label.
 */
export interface CookBead {
  /** The step id (or `<step>.approval` / `<step>.timer` for a gate). */
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

export function cookPlan(f: ExpandedFormula, source: { hash: string }): CookPlan {
  const fields = [
    `Formula: ${f.name}`,
    `Version: ${f.version}`,
    `Hash: ${source.hash}`,
    ...Object.entries(f.vars).map(([k, v]) => `Var ${k}: ${v}`),
  ];
  const beads: CookBead[] = [];
  // A gated step's dependents wait on its gate, not on the step itself; the gate waits on the
  // step, so they still wait for the step's work.
  const gateOf = new Map<string, string>();
  for (const step of f.steps) {
    beads.push(stepBead(f, step));
    const gate = gateBead(f, step);
    if (gate) {
      beads.push(gate);
      gateOf.set(step.id, gate.key);
    }
  }
  const wire = edgeWiring(f.steps, gateOf);
  const edges: Array<[string, string]> = [];
  for (const [step, gate] of gateOf) edges.push(...wire.gate(gate, step));
  for (const step of f.steps) for (const need of step.needs) edges.push(...wire.need(step.id, need));
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

/**
 * The blocking edges of `needs`, where a container (a step with children, an epic) meets a plain
 * step. The ledger keeps epics and work apart (an epic blocks only epics, work only work), so a
 * step that needs a container waits on every leaf of its subtree (each leaf's gate, if gated),
 * and a container that needs a step has every leaf of its subtree wait on it — the same
 * "waits for the whole subtree" meaning, in edges the ledger takes. Two containers keep their
 * one epic-to-epic edge.
 */
function edgeWiring(steps: readonly ExpandedStep[], gateOf: ReadonlyMap<string, string>) {
  const children = new Map<string, string[]>();
  for (const s of steps) if (s.parent) children.set(s.parent, [...(children.get(s.parent) ?? []), s.id]);
  const isContainer = (id: string) => children.has(id);
  const leaves = (id: string): string[] =>
    isContainer(id) ? (children.get(id) ?? []).flatMap(leaves) : [id];
  /** What "done" of a step is, as the beads to wait on. */
  const doneOf = (id: string): string[] => {
    const gate = gateOf.get(id);
    if (gate) return [gate];
    return isContainer(id) ? leaves(id).flatMap(doneOf) : [id];
  };
  const pairs = (from: string[], to: string[]) =>
    from.flatMap((a) => to.map((b): [string, string] => [a, b]));
  return {
    need(step: string, need: string): Array<[string, string]> {
      if (isContainer(step) && isContainer(need) && !gateOf.has(need)) return [[step, need]];
      return pairs(isContainer(step) ? leaves(step) : [step], doneOf(need));
    },
    gate: (gate: string, step: string): Array<[string, string]> =>
      pairs([gate], isContainer(step) ? leaves(step).flatMap(doneOf) : [step]),
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

/** The decision after a gated step (none for a step that is itself a person's decision). */
function gateBead(f: ExpandedFormula, s: ExpandedStep): CookBead | null {
  if (s.gate?.type === 'human' && !isHumanStep(s)) return approvalBead(f, s, `${s.id}.approval`);
  if (s.gate?.type === 'timer' && s.gate.timeoutMs !== undefined) return timerBead(f, s, s.gate.timeoutMs);
  return null;
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

function timerBead(f: ExpandedFormula, s: ExpandedStep, timeoutMs: number): CookBead {
  const key = `${s.id}.timer`;
  const timeout = s.gate?.timeout ?? `${timeoutMs}ms`;
  return {
    key,
    parent: s.parent ?? null,
    title: `Wait ${timeout}: ${s.title}`,
    description: [
      `A timer gate of formula ${f.name}: what needs ${s.id} waits until ${timeout} after this run was`,
      `poured (the clock starts when this gate is created, as in Gas Town) and until ${s.id} is done.`,
      'Nobody approves it: the service closes it by itself.',
    ].join(' '),
    acceptance: '',
    type: 'decision',
    priority: s.priority as Priority,
    labels: [`${STEP_LABEL}${key}`, formulaLabel(f.name), ...timerGateLabels(timeoutMs)],
  };
}
