import { FormulaError } from './errors.ts';
import type { Formula, FormulaStep } from './types.ts';

/**
 * Structural checks (§2.4) run at load and again after `extends`/`compose` are resolved. The
 * needs checks wait for resolution when a formula extends or composes: its steps may name steps
 * only the parent defines. Unlike bd we refuse `needs` cycles here, at load (as gt and gc v2
 * do), rather than letting the store abort the pour later.
 */
export function validateFormula(formula: Formula, opts: { requireKnownNeeds: boolean }): void {
  const fail = (code: string, message: string, details: Record<string, unknown> = {}): never => {
    throw new FormulaError(code, `${formula.fileName}: ${message}`, details);
  };
  if (!formula.name) fail('formula_name', 'missing required key formula = "<name>"');
  if (formula.type === 'expansion' && formula.template.length === 0) {
    fail('formula_compose', `expansion formula "${formula.name}" has no [[template]] steps`);
  }
  for (const scope of [formula.steps, formula.template]) {
    const flat = flatten(scope);
    checkScope(flat, fail);
    if (opts.requireKnownNeeds && scope === formula.steps) {
      checkNeeds(flat, new Set(flat.map((s) => s.id)), fail);
      const cycle = findCycle(flat);
      if (cycle)
        fail('formula_cycle', `cycle in needs: ${cycle.join(' -> ')}; remove one of these needs`, { cycle });
    }
  }
}

/** Steps and their children (not loop bodies: their ids live in the loop's own namespace). */
export function flatten(steps: FormulaStep[]): FormulaStep[] {
  return steps.flatMap((s) => [s, ...flatten(s.children)]);
}

type Fail = (code: string, message: string, details?: Record<string, unknown>) => never;

function checkScope(flat: FormulaStep[], fail: Fail): void {
  const seen = new Map<string, string>();
  for (const step of flat) {
    const first = seen.get(step.id);
    if (first !== undefined) {
      fail('formula_duplicate_id', `duplicate id "${step.id}" at ${step.path} (first defined at ${first})`, {
        id: step.id,
        first,
        second: step.path,
      });
    }
    seen.set(step.id, step.path);
    checkPriority(step, fail);
    if (step.loop) {
      // A body's ids are rewritten per iteration, so they only need to be unique among themselves.
      checkScope(step.loop.body, fail);
      for (const b of step.loop.body) checkPriority(b, fail);
    }
  }
}

function checkPriority(step: FormulaStep, fail: Fail): void {
  if (step.priority < 0 || step.priority > 4) {
    fail(
      'formula_priority',
      `step "${step.id}" (${step.path}): priority ${step.priority} is out of range; use 0–4`,
    );
  }
}

function checkNeeds(flat: FormulaStep[], known: Set<string>, fail: Fail): void {
  for (const step of flat) {
    for (const need of step.needs) {
      if (!known.has(need)) {
        fail(
          'formula_unknown_need',
          `step "${step.id}" (${step.path}): needs references unknown step "${need}"`,
          {
            step: step.id,
            need,
          },
        );
      }
    }
    if (step.loop) {
      const inBody = new Set([...known, ...step.loop.body.map((b) => b.id)]);
      checkNeeds(step.loop.body, inBody, fail);
    }
  }
}

/** Depth-first search; returns the path of the first cycle found, closed (`a -> b -> a`). */
export function findCycle(steps: { id: string; needs: string[] }[]): string[] | null {
  const needs = new Map(steps.map((s) => [s.id, s.needs]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | null => {
    if (state.get(id) === 'done') return null;
    if (state.get(id) === 'open') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'open');
    stack.push(id);
    for (const n of needs.get(id) ?? []) {
      const found = needs.has(n) ? visit(n) : null;
      if (found) return found;
    }
    stack.pop();
    state.set(id, 'done');
    return null;
  };
  for (const s of steps) {
    const found = visit(s.id);
    if (found) return found;
  }
  return null;
}
