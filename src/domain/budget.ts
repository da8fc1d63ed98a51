import type { Bead } from './bead.ts';
import { parseConvoyFields } from './convoy-fields.ts';
import { refused, usageError } from './errors.ts';
import { toUsd } from './usage.ts';
import { formatUsd } from './usage-costs.ts';

/**
 * A convoy's budget (docs/costs.md "Budgets"): dollars its agents may spend before it stops
 * dispatching new beads. Amounts are whole micro-dollars, as usage records keep them (usage.ts),
 * so 0.30 × 4 reaches a $1.20 budget exactly.
 *
 * Where it lives: the amount given at creation is the `Budget:` field of the convoy's
 * description (convoy-fields.ts), written once by `gt convoy create|stage`; what moves by racing
 * writers — the state and the extensions — lives in labels, because labels change in the same
 * compare-and-swap on the convoy's version as anything else (Ledger.claimBead), and a
 * description does not.
 */

/** `ok` → `warned` (80 %) → `exhausted` (100 %, no new dispatch); `stopped` by a person. */
export type BudgetState = 'ok' | 'warned' | 'exhausted' | 'stopped';

export const BUDGET_LABELS = {
  warned: 'budget:warned',
  exhausted: 'budget:exhausted',
  stopped: 'budget:stopped',
} as const;
/** `budget:extended:<USD>`: the sum of every extension so far (one label, replaced as it grows). */
const EXTENDED_PREFIX = 'budget:extended:';

/** The labels only the budget's own verbs write (bd would forge a budget's state with them). */
export const isBudgetLabel = (label: string): boolean => label.startsWith('budget:');

/** Dollars ≥ this share of the budget spent: the one warning in the convoy's thread. */
export const WARN_PERCENT = 80;
/** The largest budget (or extension) a convoy takes, in dollars: a typo of a few zeros is refused. */
export const MAX_BUDGET_USD = 1_000_000;

export interface ConvoyBudget {
  /** As given when the convoy was created or staged (its `Budget:` field), micros. */
  initial: number;
  /** Every extension so far, summed, micros. */
  extended: number;
  /** What the convoy may spend: initial + extended, micros. */
  total: number;
  state: BudgetState;
}

/** What one compare-and-swap on the convoy's labels changes. */
export interface LabelChange {
  add: string[];
  remove: string[];
}

const MICROS = 1_000_000;
const AMOUNT = /^\$?(\d{1,7})(?:\.(\d{1,6}))?$/;

/** Dollars as typed (`5`, `12.50`, `$0.75`) → micros; null when it is not such an amount. */
function amountMicros(raw: string): number | null {
  const m = AMOUNT.exec(raw.trim());
  if (!m) return null;
  return Number(m[1]) * MICROS + Number((m[2] ?? '').padEnd(6, '0'));
}

/** `--budget USD` / `--extend USD`: more than nothing, at most MAX_BUDGET_USD; micros. */
export function parseUsd(raw: string, flag: string): number {
  const micros = amountMicros(raw);
  if (micros === null || micros <= 0 || micros > MAX_BUDGET_USD * MICROS)
    throw usageError(
      'bad_amount',
      `${flag} ${JSON.stringify(raw)} is not an amount of dollars; give a number above 0 and at most ${MAX_BUDGET_USD}, such as 5 or 12.50`,
    );
  return micros;
}

/** Micros as the `Budget:` field and labels write them: at least cents, no trailing zeros beyond. */
export const usdField = (micros: number): string =>
  (micros / MICROS).toFixed(6).replace(/(\.\d\d\d*?)0+$/, '$1');

/** A convoy's budget; null when it has none (or its `Budget:` field is not an amount). */
export function budgetOf(convoy: Pick<Bead, 'description' | 'labels'>): ConvoyBudget | null {
  const raw = parseConvoyFields(convoy.description).budget;
  const initial = raw === undefined ? null : amountMicros(raw);
  if (initial === null || initial <= 0) return null;
  const label = convoy.labels.find((l) => l.startsWith(EXTENDED_PREFIX));
  const extended = label ? (amountMicros(label.slice(EXTENDED_PREFIX.length)) ?? 0) : 0;
  return { initial, extended, total: initial + extended, state: stateOf(convoy.labels) };
}

function stateOf(labels: readonly string[]): BudgetState {
  if (labels.includes(BUDGET_LABELS.stopped)) return 'stopped';
  if (labels.includes(BUDGET_LABELS.exhausted)) return 'exhausted';
  if (labels.includes(BUDGET_LABELS.warned)) return 'warned';
  return 'ok';
}

/** Where `spent` stands against `total`: integer arithmetic, no rounding at the thresholds. */
export function spendLevel(total: number, spent: number): 'ok' | 'warned' | 'exhausted' {
  if (spent >= total) return 'exhausted';
  return spent * 100 >= total * WARN_PERCENT ? 'warned' : 'ok';
}

const RANK: Record<BudgetState, number> = { ok: 0, warned: 1, exhausted: 2, stopped: 3 };

/**
 * What the spend moves the state to, only ever forward (ok → warned → exhausted), so each
 * threshold is crossed once per budget: a later report at the same level changes nothing, and
 * only an extension (or a stop) moves it otherwise. Null: nothing to change.
 */
export function spendStep(b: ConvoyBudget, spent: number): LabelChange | null {
  const level = spendLevel(b.total, spent);
  if (RANK[level] <= RANK[b.state]) return null;
  return level === 'exhausted'
    ? { add: [BUDGET_LABELS.exhausted], remove: [BUDGET_LABELS.warned] }
    : { add: [BUDGET_LABELS.warned], remove: [] };
}

/** No new bead of the convoy goes to a polecat: used up (by its labels, or by the spend itself) or stopped. */
export const blocksDispatch = (b: ConvoyBudget, spent: number): boolean =>
  b.state === 'exhausted' || b.state === 'stopped' || spent >= b.total;

/** What a card's **Extend by $X** adds: another round of the size the convoy started with. */
export const extendStep = (b: ConvoyBudget): number => b.initial;

/**
 * Raising the budget by `by`: the extensions label replaced, the state started over from what
 * is spent against the new total (warned again if already past 80 % of it). Refused when the new
 * total would still be used up — the convoy would stop again at once — or over the maximum.
 */
export function extension(
  convoyId: string,
  b: ConvoyBudget,
  by: number,
  spent: number,
): LabelChange & { total: number; state: BudgetState } {
  const total = b.total + by;
  if (total > MAX_BUDGET_USD * MICROS)
    throw refused(
      'budget_too_large',
      `convoy ${convoyId}'s budget would be ${formatUsd(toUsd(total))}, over the maximum of ${formatUsd(MAX_BUDGET_USD)}; give a smaller --extend`,
    );
  if (spent >= total)
    throw refused(
      'extension_too_small',
      `extending convoy ${convoyId} by ${formatUsd(toUsd(by))} leaves its budget (${formatUsd(toUsd(total))}) used up: it has spent ${formatUsd(toUsd(spent))}; give more than ${formatUsd(toUsd(spent - b.total))}`,
    );
  const level = spendLevel(total, spent);
  const old = extendedLabels(b);
  return {
    total,
    state: level,
    add: [
      `${EXTENDED_PREFIX}${usdField(b.extended + by)}`,
      ...(level === 'warned' ? [BUDGET_LABELS.warned] : []),
    ],
    remove: [
      ...old,
      BUDGET_LABELS.exhausted,
      BUDGET_LABELS.stopped,
      ...(level === 'warned' ? [] : [BUDGET_LABELS.warned]),
    ],
  };
}

const extendedLabels = (b: ConvoyBudget): string[] =>
  b.extended > 0 ? [`${EXTENDED_PREFIX}${usdField(b.extended)}`] : [];

/** A person stops the convoy: `stopped`, whatever it was. */
export const stopChange = (): LabelChange => ({
  add: [BUDGET_LABELS.stopped],
  remove: [BUDGET_LABELS.warned, BUDGET_LABELS.exhausted],
});

/** The close reason of a convoy stopped over its budget. */
export function stoppedReason(
  actor: string,
  note: string | undefined,
  b: ConvoyBudget,
  spent: number,
): string {
  const why = note ? `: ${note}` : ` (spent ${formatUsd(toUsd(spent))} of ${formatUsd(toUsd(b.total))})`;
  return `Stopped over budget by ${actor}${why}`;
}

/** Why a bead of the convoy is not dispatched, and what to do about it. */
export function dispatchRefusal(beadId: string, convoyId: string, b: ConvoyBudget, spent: number): string {
  const what =
    b.state === 'stopped'
      ? 'was stopped over its budget'
      : `has used its budget (spent ${formatUsd(toUsd(spent))} of ${formatUsd(toUsd(b.total))})`;
  return `${beadId} is not dispatched: convoy ${convoyId} ${what}; run gt convoy budget ${convoyId} --extend USD to resume it, or --stop to close it`;
}

/**
 * The line in the convoy's thread for a threshold it crossed (once per threshold and budget). It
 * names the threshold, and the spend as it is when said: chat may say it late, after more spend.
 */
export function thresholdLine(
  convoyId: string,
  threshold: 'warned' | 'exhausted',
  b: ConvoyBudget,
  spent: number,
): string {
  const budget = formatUsd(toUsd(b.total));
  const now = formatUsd(toUsd(spent));
  return threshold === 'exhausted'
    ? `⛔ Budget used up: convoy ${convoyId} has spent its ${budget} budget (${now} so far); no new beads are dispatched (running ones finish). Extend or stop it from its budget card, or gt convoy budget ${convoyId} --extend USD | --stop`
    : `⚠ Budget: convoy ${convoyId} has spent ${WARN_PERCENT} % of its ${budget} budget (${now} so far); at 100 % no new beads are dispatched`;
}
