import { applyExpansions } from './compose.ts';
import { FormulaError } from './errors.ts';
import { type FormulaResolver, resolveExtends } from './extends.ts';
import { unrollLoops } from './loops.ts';
import { evaluateCondition, placeholders, substitute } from './substitute.ts';
import type { ExpandedFormula, ExpandedStep, Formula, FormulaStep } from './types.ts';
import { flatten, validateFormula } from './validate.ts';
import { resolveVars } from './vars.ts';

export interface ExpandOptions {
  /** Refuse once the expanded formula would have more steps than this (loops are checked before unrolling). */
  maxSteps: number;
  /** Finds `extends` parents and expansion formulas by name; without it, both are refused. */
  resolve?: FormulaResolver;
}

/**
 * Formula + `--var`s → the flat list of steps to pour, in bd's order (§2.1): extends → vars →
 * loops → expansions → validation of the result → conditions → substitution. Pure; nothing is
 * written, so every refusal here happens before any bead exists.
 */
export function expandFormula(
  formula: Formula,
  vars: Record<string, string>,
  opts: ExpandOptions,
): ExpandedFormula {
  const resolve: FormulaResolver = opts.resolve ?? (() => null);
  const merged = resolveExtends(formula, resolve);
  const vals = resolveVars(merged, vars, referencedNames(merged));

  let steps = unrollLoops(merged.steps, vals, opts.maxSteps, merged.fileName);
  steps = applyExpansions(steps, merged.composeExpand, resolve, merged.fileName);
  validateFormula({ ...merged, steps, template: [], type: 'workflow' }, { requireKnownNeeds: true });

  const count = flatten(steps).length;
  if (count > opts.maxSteps) {
    throw new FormulaError(
      'formula_too_many_steps',
      `${merged.fileName}: formula "${merged.name}" expands to ${count} steps, over the cap of ${opts.maxSteps}`,
      { count, cap: opts.maxSteps },
    );
  }
  const excluded = new Set<string>();
  const kept = filterConditions(steps, vals, excluded, merged.fileName);
  const out: ExpandedStep[] = [];
  const emit = (list: FormulaStep[], parent: string | undefined) => {
    for (const s of list) {
      out.push(toExpanded(s, vals, excluded, parent));
      emit(s.children, s.id);
    }
  };
  emit(kept, undefined);
  return {
    name: merged.name,
    version: merged.version,
    description: substitute(merged.description ?? '', vals),
    vars: vals,
    steps: out,
  };
}

/** Excluded steps take their children with them; their ids are collected to drop edges later. */
function filterConditions(
  steps: FormulaStep[],
  vals: Record<string, string>,
  excluded: Set<string>,
  fileName: string,
): FormulaStep[] {
  const kept: FormulaStep[] = [];
  for (const s of steps) {
    if (s.condition !== undefined && !evaluateCondition(s.condition, vals, `${fileName}: step "${s.id}"`)) {
      for (const gone of flatten([s])) excluded.add(gone.id);
      continue;
    }
    kept.push({ ...s, children: filterConditions(s.children, vals, excluded, fileName) });
  }
  return kept;
}

function toExpanded(
  s: FormulaStep,
  vals: Record<string, string>,
  excluded: Set<string>,
  parent: string | undefined,
): ExpandedStep {
  const e: ExpandedStep = {
    id: s.id,
    title: substitute(s.title, vals),
    description: substitute(s.description ?? '', vals),
    type: s.children.length > 0 ? 'epic' : s.type,
    priority: s.priority,
    // Ours: labels and assignee are substituted too (bd leaves assignee verbatim).
    labels: s.labels.map((l) => substitute(l, vals)),
    // Edges to excluded steps are dropped, so dependents unblock as upstream does.
    needs: s.needs.filter((n) => !excluded.has(n)),
  };
  if (parent !== undefined) e.parent = parent;
  if (s.gate)
    e.gate =
      s.gate.awaitId === undefined ? { ...s.gate } : { ...s.gate, awaitId: substitute(s.gate.awaitId, vals) };
  if (s.notes !== undefined) e.notes = substitute(s.notes, vals);
  if (s.acceptance !== undefined) e.acceptance = substitute(s.acceptance, vals);
  if (s.assignee !== undefined) e.assignee = substitute(s.assignee, vals);
  if (s.metadata !== undefined) e.metadata = s.metadata;
  if (s.interactive !== undefined) e.interactive = s.interactive;
  return e;
}

/** Vars referenced by `{{name}}` in any text of the formula (bd's "required when referenced"). */
function referencedNames(formula: Formula): Set<string> {
  const names = new Set<string>(placeholders(formula.description ?? ''));
  const visit = (s: FormulaStep) => {
    for (const t of [s.title, s.description, s.notes, s.acceptance])
      for (const n of placeholders(t ?? '')) names.add(n);
    s.children.forEach(visit);
    s.loop?.body.forEach(visit);
  };
  formula.steps.forEach(visit);
  return names;
}
