import { parseUsd } from './budget.ts';
import { usageError } from './errors.ts';
import { parseRigName } from './rig.ts';

/**
 * The budget a convoy gets when `gt convoy create|stage` is not given `--budget`
 * (GT_DEFAULT_BUDGET_USD): `5` for every rig, `alpha=2,beta=10` per rig, or both (`5,alpha=2`:
 * alpha 2, any other rig 5). A convoy across rigs takes the smallest of their defaults — the
 * strictest applies — and an empty convoy the town-wide one. A setting, not a rig field: it
 * needs no change to either ledger's rig records, and it is the operator's, like the price table.
 */
export interface BudgetDefaults {
  /** Micros for any rig not named; null: none. */
  town: number | null;
  /** Micros per rig named. */
  rigs: Readonly<Record<string, number>>;
}

export const NO_BUDGET_DEFAULTS: BudgetDefaults = { town: null, rigs: {} };

const SETTING = 'GT_DEFAULT_BUDGET_USD';

export function parseBudgetDefaults(raw: string): BudgetDefaults {
  const rigs: Record<string, number> = {};
  let town: number | null = null;
  for (const entry of raw.split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    if (eq < 0) {
      if (town !== null)
        throw usageError(
          'bad_budget_default',
          `${SETTING} gives two town-wide amounts; give one, and rig=USD for the others`,
        );
      town = parseUsd(entry, SETTING);
      continue;
    }
    const rig = parseRigName(entry.slice(0, eq).trim());
    if (Object.hasOwn(rigs, rig))
      throw usageError('bad_budget_default', `${SETTING} names rig ${rig} twice; give one amount per rig`);
    rigs[rig] = parseUsd(entry.slice(eq + 1), `${SETTING} for rig ${rig}`);
  }
  return { town, rigs };
}

/** The default for a convoy whose beads are in `rigs` (micros); null: none applies. */
export function defaultBudget(d: BudgetDefaults, rigs: readonly string[]): number | null {
  if (rigs.length === 0) return d.town;
  const amounts = rigs
    .map((r) => (Object.hasOwn(d.rigs, r) ? (d.rigs[r] as number) : d.town))
    .filter((a): a is number => a !== null);
  return amounts.length ? Math.min(...amounts) : null;
}
