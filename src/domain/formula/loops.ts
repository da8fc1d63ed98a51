import { FormulaError } from './errors.ts';
import { evaluateRange } from './range.ts';
import { substitute } from './substitute.ts';
import type { FormulaStep } from './types.ts';

/**
 * `loop.count`/`loop.range` unrolled into `<loop>.iter<k>.<body>` steps (§1.6): iteration k+1's
 * first body step needs iteration k's last; in-body needs are rewritten per iteration, outside
 * references kept; the first iteration inherits the loop step's needs and whoever needed the
 * loop step needs the last iteration's last step. The size is checked against the step cap
 * BEFORE anything is generated (upstream has no bound; `1..2^17` never finishes there).
 */
export function unrollLoops(
  steps: FormulaStep[],
  vars: Record<string, string>,
  maxSteps: number,
  fileName: string,
): FormulaStep[] {
  const renamed = new Map<string, string[]>();
  const walk = (list: FormulaStep[]): FormulaStep[] =>
    list.flatMap((step) => {
      if (!step.loop) return [{ ...step, children: walk(step.children) }];
      const out = unrollOne(step, vars, maxSteps, fileName);
      renamed.set(step.id, out.length > 0 ? [(out.at(-1) as FormulaStep).id] : step.needs);
      return out;
    });
  const unrolled = walk(steps);
  if (renamed.size === 0) return unrolled;
  const rewire = (list: FormulaStep[]): FormulaStep[] =>
    list.map((s) => ({
      ...s,
      needs: [...new Set(s.needs.flatMap((n) => renamed.get(n) ?? [n]))],
      children: rewire(s.children),
    }));
  return rewire(unrolled);
}

function unrollOne(
  step: FormulaStep,
  vars: Record<string, string>,
  maxSteps: number,
  fileName: string,
): FormulaStep[] {
  const loop = step.loop as NonNullable<FormulaStep['loop']>;
  const where = `${fileName}: step "${step.id}" (${step.path}.loop)`;
  let values: number[];
  if (loop.count !== undefined) {
    checkCap(loop.count * loop.body.length, maxSteps, where);
    values = Array.from({ length: loop.count }, (_, k) => k + 1);
  } else {
    const { start, end } = evaluateRange(substitute(loop.range as string, vars), where);
    checkCap((end - start + 1) * loop.body.length, maxSteps, where);
    values = Array.from({ length: end - start + 1 }, (_, k) => start + k);
  }
  const bodyIds = new Set(loop.body.map((b) => b.id));
  const out: FormulaStep[] = [];
  values.forEach((value, index) => {
    const prefix = `${step.id}.iter${index + 1}.`;
    const local = (text: string | undefined) =>
      text === undefined || loop.var === undefined ? text : text.replaceAll(`{${loop.var}}`, String(value));
    const previousLast = out.at(-1)?.id;
    loop.body.forEach((b, i) => {
      const needs = b.needs.map((n) => (bodyIds.has(n) ? prefix + n : n));
      if (i === 0) needs.push(...(previousLast === undefined ? step.needs : [previousLast]));
      const copy: FormulaStep = {
        ...b,
        id: prefix + b.id,
        needs: [...new Set(needs)],
        path: `${step.path}.loop.body[${i}]`,
      };
      copy.title = local(b.title) as string;
      const description = local(b.description);
      if (description !== undefined) copy.description = description;
      out.push(copy);
    });
  });
  return out;
}

function checkCap(count: number, maxSteps: number, where: string): void {
  if (!Number.isFinite(count) || count > maxSteps) {
    throw new FormulaError(
      'formula_too_many_steps',
      `${where}: the loop would expand to ${count} steps, over the cap of ${maxSteps}; lower the count/range`,
      { count, cap: maxSteps },
    );
  }
}
