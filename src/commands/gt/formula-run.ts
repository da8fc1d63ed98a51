import { usageError } from '../../domain/errors.ts';
import { cookPlan } from '../../domain/formula/cook-plan.ts';
import { expandFormula } from '../../domain/formula/index.ts';
import type { Finding, Wave } from '../../domain/staging.ts';
import { flag, list, optString, reqString } from '../args.ts';
import { defineCommand } from '../command.ts';
import { rigFor } from '../rig-choice.ts';
import { launch } from './convoy/launch.ts';
import { stage } from './convoy/stage.ts';
import { loadFormula, MAX_FORMULA_STEPS } from './formula.ts';
import { cook } from './formula-cook.ts';
import { recordFormulaPlan } from './plan/formula-plan.ts';

/**
 * What `gt formula run --json` answers (CLI-CONTRACT.md: `{convoy_id, root, beads:[ids], waves:[…]}`),
 * with the step map, status, warnings and plan besides.
 */
export interface FormulaRun {
  formula: string;
  root: string;
  convoy_id: string;
  /** The steps' bead ids, in the formula's step order. */
  beads: string[];
  /** Each step's bead by step id (the same beads as `beads`). */
  steps: Record<string, string>;
  /** The convoy's waves, as `gt convoy stage --json` gives them. */
  waves: Wave[];
  status: string;
  warnings: Finding[];
  launched: boolean;
  /** The plan a person's staged run is (its card, gt plan launch|revise|discard); null otherwise. */
  plan: string | null;
}

/** `--var k=v` pairs (the value may hold `=` and commas). */
export function parseVarFlags(raw: readonly string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const item of raw) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw usageError('invalid_var', `--var ${JSON.stringify(item)}: write --var name=value`);
    vars[item.slice(0, eq).trim()] = item.slice(eq + 1);
  }
  return vars;
}

/**
 * `gt formula run <name>`: the formula expanded with the `--var`s (every check first: nothing is
 * written for a formula that cannot run), cooked into the rig — a root epic recording the formula,
 * its version, the file's hash and the variables; a bead per step; `needs` as blocking edges —
 * and staged as a convoy (waves, as `gt convoy stage` gives). `--launch` opens it at once; gated
 * steps (a person's decision first) are expected there, so those warnings alone do not stop it.
 */
export const gtFormulaRun = defineCommand<FormulaRun>({
  path: ['gt', 'formula', 'run'],
  summary: 'Plan work from a formula: its steps as beads in a rig, staged as a convoy (or launched)',
  usage: 'gt formula run <name> [--var k=v]… [--rig R] [--launch]',
  syntax: {
    positionals: [{ name: 'name', required: true }],
    flags: {
      var: { type: 'string', list: true, whole: true, description: 'a variable: name=value (repeatable)' },
      rig: { type: 'string', description: 'the rig whose beads they become (default: the only rig)' },
      launch: { type: 'boolean', description: 'open the convoy at once (default: staged, for review)' },
    },
  },
  mutates: true,
  async run(args, ctx) {
    const { entry, formula, resolve } = await loadFormula(ctx, reqString(args, 'name'));
    const expanded = expandFormula(formula, parseVarFlags(list(args, 'var')), {
      maxSteps: MAX_FORMULA_STEPS,
      resolve,
    });
    const rig = await rigFor(ctx, optString(args, 'rig'));
    const write = ctx.write();
    const plan = cookPlan(expanded, { hash: entry.hash });
    const cooked = await cook(ctx.services.ledger, plan, rig, write);
    const staged = await stage(ctx.services.ledger, [cooked.root.id], cooked.root.title, write);
    // The convoy tracks its gates too (staging takes slingable work only; re-staging keeps them):
    // an approval then feeds what waited on it, and the convoy lands once every gate is approved.
    for (const gate of plan.beads.filter((b) => b.type === 'decision'))
      await ctx.services.ledger.addDependency(
        staged.convoy_id,
        cooked.beads[gate.key] as string,
        'tracks',
        write,
      );
    const gatedOnly = staged.warnings.every((w) => w.category === 'gated');
    const launched = flag(args, 'launch')
      ? await launch(ctx.services.ledger, [staged.convoy_id], gatedOnly, write)
      : null;
    const planId =
      launched === null && ctx.actor.kind === 'human'
        ? await recordFormulaPlan(
            ctx.services.ledger,
            { formula: formula.name, vars: expanded.vars, rig, convoy: staged.convoy_id },
            write,
          )
        : null;
    return {
      data: {
        formula: formula.name,
        root: cooked.root.id,
        convoy_id: staged.convoy_id,
        beads: plan.beads.map((b) => cooked.beads[b.key] as string),
        steps: cooked.beads,
        waves: staged.waves,
        status: launched?.status ?? staged.status,
        warnings: staged.warnings,
        launched: launched !== null,
        plan: planId,
      },
    };
  },
  text: (r) =>
    [
      `${r.formula}: ${r.beads.length} step(s) under ${r.root}; convoy ${r.convoy_id} ${r.launched ? 'launched' : `staged (${r.status})`}, ${r.waves.length} wave(s)`,
      ...r.warnings.map((w) => `  warning: ${w.message}`),
      ...(r.launched
        ? []
        : [
            `  review it: gt plan show ${r.convoy_id} · launch it: gt plan launch ${r.convoy_id} (or gt convoy launch ${r.convoy_id})`,
          ]),
    ].join('\n'),
});
