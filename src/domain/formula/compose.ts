import { FormulaError } from './errors.ts';
import type { FormulaResolver } from './extends.ts';
import { substitute } from './substitute.ts';
import type { ComposeExpand, FormulaStep } from './types.ts';

/** Upstream's bound on expansions inside expansions. */
export const MAX_EXPANSION_DEPTH = 5;

/**
 * `compose.expand` rules and inline `expand = "<formula>"` (§1.6): the target step is replaced by
 * the expansion's template, `{target}`/`{target.id|title|description}` filled in. Entry steps
 * (no in-template needs) inherit the target's needs; whoever needed the target needs the last
 * template step. Template steps may `expand` again, up to MAX_EXPANSION_DEPTH.
 */
export function applyExpansions(
  steps: FormulaStep[],
  rules: ComposeExpand[],
  resolve: FormulaResolver,
  fileName: string,
): FormulaStep[] {
  let out = expandInline(steps, resolve, fileName, 1);
  for (const rule of rules) out = expandTarget(out, rule, resolve, fileName, 1);
  return out;
}

function expandInline(
  steps: FormulaStep[],
  resolve: FormulaResolver,
  fileName: string,
  depth: number,
): FormulaStep[] {
  let out = steps;
  for (const s of steps.flatMap(function all(x): FormulaStep[] {
    return [x, ...x.children.flatMap(all)];
  })) {
    if (s.expand)
      out = expandTarget(out, { target: s.id, with: s.expand, vars: {} }, resolve, fileName, depth);
  }
  return out;
}

function expandTarget(
  steps: FormulaStep[],
  rule: ComposeExpand,
  resolve: FormulaResolver,
  fileName: string,
  depth: number,
): FormulaStep[] {
  const fail = (msg: string): never => {
    throw new FormulaError('formula_compose', `${fileName}: ${msg}`, {
      target: rule.target,
      with: rule.with,
    });
  };
  if (depth > MAX_EXPANSION_DEPTH)
    fail(`expansion "${rule.with}" nested deeper than ${MAX_EXPANSION_DEPTH} levels`);
  const target = find(steps, rule.target) ?? fail(`compose.expand target "${rule.target}" is not a step`);
  if (target.children.length > 0) fail(`cannot expand step "${target.id}": it has children`);
  const expansion = resolve(rule.with) ?? fail(`unknown expansion formula "${rule.with}"`);
  if (expansion.type !== 'expansion')
    fail(`"${rule.with}" is not an expansion formula (type = "${expansion.type}")`);

  const local: Record<string, string> = {};
  for (const v of expansion.vars) if (v.default !== undefined) local[v.name] = v.default;
  Object.assign(local, rule.vars);
  const fill = (text: string) =>
    substitute(
      text
        .replaceAll('{target.id}', target.id)
        .replaceAll('{target.title}', target.title)
        .replaceAll('{target.description}', target.description ?? '')
        .replaceAll('{target}', target.id),
      local,
    );
  const templateIds = new Set(expansion.template.map((t) => t.id));
  let inserted: FormulaStep[] = expansion.template.map((t) => {
    const inner = t.needs.filter((n) => templateIds.has(n)).map(fill);
    const copy: FormulaStep = {
      ...t,
      id: fill(t.id),
      title: fill(t.title),
      needs:
        inner.length > 0
          ? [...new Set([...inner, ...t.needs.filter((n) => !templateIds.has(n))])]
          : [...target.needs, ...t.needs],
      path: `${target.path} (expanded by ${rule.with}: ${t.path})`,
    };
    if (t.description !== undefined) copy.description = fill(t.description);
    return copy;
  });
  inserted = expandInline(inserted, resolve, fileName, depth + 1);
  const last = (inserted.at(-1) as FormulaStep).id;
  const replace = (list: FormulaStep[]): FormulaStep[] =>
    list.flatMap((s) =>
      s.id === target.id
        ? inserted
        : [{ ...s, needs: s.needs.map((n) => (n === target.id ? last : n)), children: replace(s.children) }],
    );
  return replace(steps);
}

function find(steps: FormulaStep[], id: string): FormulaStep | undefined {
  for (const s of steps) {
    if (s.id === id) return s;
    const inChild = find(s.children, id);
    if (inChild) return inChild;
  }
  return undefined;
}
