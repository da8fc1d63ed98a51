import type { Bead } from '../../../domain/bead.ts';
import { parseUsd } from '../../../domain/budget.ts';
import { defaultBudget, NO_BUDGET_DEFAULTS } from '../../../domain/budget-default.ts';
import { optString } from '../../args.ts';
import type { CommandContext } from '../../command.ts';
import type { Args } from '../../syntax.ts';

/**
 * The budget a new convoy gets, in micros: `--budget USD`, else the default of its beads' rigs
 * (GT_DEFAULT_BUDGET_USD, budget-default.ts); null: none.
 */
export function convoyBudget(
  args: Args,
  ctx: CommandContext,
  beads: ReadonlyArray<Pick<Bead, 'rig'>>,
): number | null {
  const raw = optString(args, 'budget');
  if (raw !== undefined) return parseUsd(raw, '--budget');
  const rigs = [...new Set(beads.map((b) => b.rig).filter((r): r is string => r !== null))];
  return defaultBudget(ctx.services.budgetDefaults ?? NO_BUDGET_DEFAULTS, rigs);
}

/** `--budget USD` as given (checked before anything is read or written); undefined when absent. */
export const givenBudget = (args: Args): number | undefined => {
  const raw = optString(args, 'budget');
  return raw === undefined ? undefined : parseUsd(raw, '--budget');
};
