import { DomainError, refused } from '../../domain/errors.ts';
import { type ExpandedFormula, expandFormula, type FormulaVar } from '../../domain/formula/index.ts';
import { closestNames } from '../../domain/formula/suggest.ts';
import { reqString } from '../args.ts';
import { type CommandContext, defineCommand, type FormulaCatalog, type FormulaEntry } from '../command.ts';

/** How many steps a formula may expand to (loops, expansions): room for Gas Town's largest (1,025), not for a runaway loop. */
export const MAX_FORMULA_STEPS = 2_000;

export interface FormulaRow {
  name: string;
  source: string;
  path: string;
  description: string;
  steps: number;
  vars: string[];
  warnings: string[];
  error: string | null;
}

const catalog = (ctx: CommandContext): FormulaCatalog => {
  const formulas = ctx.services.formulas;
  if (!formulas)
    throw refused('no_formulas', 'this service has no formula search path; run formulas through gt up');
  return formulas;
};

/** A formula by name, parsed; refused, saying what to do, when missing (closest names) or broken. */
export async function loadFormula(ctx: CommandContext, raw: string) {
  const wanted = raw.trim();
  const { entry, names, resolve } = await catalog(ctx).load(wanted);
  if (!entry) {
    const close = closestNames(wanted, names);
    throw refused(
      'formula_not_found',
      `no formula ${JSON.stringify(wanted)} on the search path${close.length ? ` (did you mean ${close.join(', ')}?)` : ''}; see gt formula list`,
    );
  }
  if (!entry.formula)
    throw refused(
      'formula_broken',
      `${entry.path} cannot be used: ${entry.error}; fix the file, then try again`,
    );
  return { entry, formula: entry.formula, resolve };
}

const rowOf = (e: FormulaEntry): FormulaRow => ({
  name: e.name,
  source: e.source,
  path: e.path,
  description: e.formula?.description?.split('\n')[0] ?? '',
  steps: e.formula?.steps.length ?? 0,
  vars: e.formula?.vars.map((v) => v.name) ?? [],
  warnings: e.warnings,
  error: e.error,
});

/** `gt formula list`: every formula on the search path (the first of a name wins), broken ones too. */
export const gtFormulaList = defineCommand<FormulaRow[]>({
  path: ['gt', 'formula', 'list'],
  summary: 'The formulas a plan can run: the town’s, each rig’s repository’s, the built-in ones',
  usage: 'gt formula list',
  syntax: { positionals: [], flags: {} },
  mutates: false,
  run: async (_args, ctx) => ({ data: (await catalog(ctx).list()).map(rowOf) }),
  text: (rows) =>
    rows.length === 0
      ? 'No formulas: write one in $GT_HOME/formulas/<name>.formula.toml (docs/plans.md)'
      : rows
          .map(
            (r) =>
              `${r.name}  (${r.source})  ${r.error ? `BROKEN: ${r.error.split('\n')[0]}` : `${r.steps} step(s)${r.description ? ` — ${r.description}` : ''}`}`,
          )
          .join('\n'),
});

export interface FormulaView extends FormulaRow {
  version: number;
  variables: FormulaVar[];
  /** The plan with every variable at its default; null when some are required (shown by `run`). */
  expanded: ExpandedFormula | null;
  /** Why there is no expansion with the defaults (a required variable, say). */
  needs: string | null;
}

/** `gt formula show <name>`: what it declares, and the plan it makes with its defaults. */
export const gtFormulaShow = defineCommand<FormulaView>({
  path: ['gt', 'formula', 'show'],
  summary: 'One formula: its variables and the steps it expands to with their defaults',
  usage: 'gt formula show <name>',
  syntax: { positionals: [{ name: 'name', required: true }], flags: {} },
  mutates: false,
  async run(args, ctx) {
    const { entry, formula, resolve } = await loadFormula(ctx, reqString(args, 'name'));
    let expanded: ExpandedFormula | null = null;
    let needs: string | null = null;
    try {
      expanded = expandFormula(formula, {}, { maxSteps: MAX_FORMULA_STEPS, resolve });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      needs = err.message;
    }
    return {
      data: {
        ...rowOf(entry),
        version: formula.version,
        variables: formula.vars,
        expanded,
        needs,
      },
    };
  },
  text: (f) =>
    [
      `${f.name} v${f.version}  (${f.source}: ${f.path})`,
      ...(f.description ? [f.description] : []),
      ...f.warnings.map((w) => `warning: ${w}`),
      ...(f.variables.length ? ['variables:'] : []),
      ...f.variables.map(
        (v) =>
          `  ${v.name}${v.required ? ' (required)' : ''}${v.default !== undefined ? ` = ${JSON.stringify(v.default)}` : ''}${v.enum ? ` one of ${v.enum.join('|')}` : ''}${v.description ? ` — ${v.description}` : ''}`,
      ),
      ...(f.expanded
        ? ['steps (with the defaults):', ...f.expanded.steps.map(stepLine)]
        : [`steps: give its variables to see them (${f.needs})`]),
    ].join('\n'),
});

const stepLine = (s: ExpandedFormula['steps'][number]): string =>
  `  ${s.parent ? '  ' : ''}${s.id}  ${s.title}${s.needs.length ? `  ← ${s.needs.join(', ')}` : ''}${s.gate ? `  [${s.gate.type} gate]` : ''}`;
