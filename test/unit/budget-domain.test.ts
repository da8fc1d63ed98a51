import { describe, expect, it } from 'vitest';
import {
  BUDGET_LABELS,
  blocksDispatch,
  budgetOf,
  type ConvoyBudget,
  dispatchRefusal,
  extendStep,
  extension,
  parseUsd,
  spendLevel,
  spendStep,
  stopChange,
  stoppedReason,
  thresholdLine,
  usdField,
} from '../../src/domain/budget.ts';
import { defaultBudget, parseBudgetDefaults } from '../../src/domain/budget-default.ts';
import { parseConvoyFields, writeConvoyFields } from '../../src/domain/convoy-fields.ts';
import { DomainError } from '../../src/domain/errors.ts';

const M = 1_000_000;
const convoy = (budget: string | null, labels: string[] = []) => ({
  description: writeConvoyFields('Convoy tracking 4 issue(s)', {
    owner: 'ann',
    ...(budget !== null && { budget }),
  }),
  labels,
});
/** The budget after `labels` were applied as a change would apply them. */
const apply = (b: { description: string; labels: string[] }, c: { add: string[]; remove: string[] }) => ({
  ...b,
  labels: [...b.labels.filter((l) => !c.remove.includes(l)), ...c.add],
});
const refusal = (f: () => unknown): DomainError => {
  try {
    f();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('not refused');
};

/** The pure budget rules (domain/budget.ts): amounts, thresholds crossed once, extend and stop. */
describe('convoy budgets', () => {
  it('reads dollars as typed, exactly, and refuses anything else with what to give', () => {
    expect(parseUsd('1', '--budget')).toBe(M);
    expect(parseUsd('$12.50', '--budget')).toBe(12.5 * M);
    expect(parseUsd(' 0.000001 ', '--budget')).toBe(1);
    for (const bad of ['0', '-1', 'ten', '1e3', '1.0000001', '1,50', '', '2000000'])
      expect(refusal(() => parseUsd(bad, '--budget')).message).toMatch(/^--budget .* give a number above 0/);
    expect(usdField(M)).toBe('1.00');
    expect(usdField(125_000)).toBe('0.125');
    expect(usdField(1_234_567)).toBe('1.234567');
  });

  it('keeps the amount given in the Budget field and the racing state in labels', () => {
    expect(budgetOf(convoy(null))).toBeNull();
    expect(budgetOf(convoy('lots'))).toBeNull(); // a hand-edited field that is no amount: no budget
    const c = convoy('1.00');
    expect(parseConvoyFields(c.description)).toEqual({ owner: 'ann', budget: '1.00' });
    expect(budgetOf(c)).toEqual({ initial: M, extended: 0, total: M, state: 'ok' });
    expect(budgetOf(convoy('1.00', ['budget:extended:0.50', BUDGET_LABELS.warned]))).toEqual({
      initial: M,
      extended: 0.5 * M,
      total: 1.5 * M,
      state: 'warned',
    });
    // Stopped wins over the rest; exhausted over warned.
    expect(budgetOf(convoy('1', [BUDGET_LABELS.warned, BUDGET_LABELS.exhausted]))?.state).toBe('exhausted');
    expect(budgetOf(convoy('1', [BUDGET_LABELS.exhausted, BUDGET_LABELS.stopped]))?.state).toBe('stopped');
  });

  it('crosses 80 % and 100 % exactly (0.30 × 4 reaches $1.20, not 1.2000000000000002)', () => {
    expect(spendLevel(M, 0.79 * M)).toBe('ok');
    expect(spendLevel(M, 0.8 * M)).toBe('warned');
    expect(spendLevel(M, M - 1)).toBe('warned');
    expect(spendLevel(M, M)).toBe('exhausted');
    const spent = [0.3, 0.3, 0.3, 0.3].reduce((n, usd) => n + usd * M, 0);
    expect(spent).toBe(1.2 * M);
  });

  it('moves the state forward only, once per threshold: a repeat at the same level changes nothing', () => {
    let c = convoy('1');
    const at = (usd: number) => spendStep(budgetOf(c) as ConvoyBudget, usd * M);
    expect(at(0.6)).toBeNull();
    const warn = at(0.9);
    expect(warn).toEqual({ add: [BUDGET_LABELS.warned], remove: [] });
    c = apply(c, warn as never);
    expect(at(0.9)).toBeNull(); // the same report again, or a second replica
    expect(at(0.95)).toBeNull();
    const out = at(1.2);
    expect(out).toEqual({ add: [BUDGET_LABELS.exhausted], remove: [BUDGET_LABELS.warned] });
    c = apply(c, out as never);
    expect(budgetOf(c)?.state).toBe('exhausted');
    expect(at(5)).toBeNull();
    // Straight past both: exhausted at once.
    expect(spendStep(budgetOf(convoy('1')) as ConvoyBudget, 3 * M)).toEqual(out);
    // Stopped by a person: spend moves nothing any more.
    expect(spendStep(budgetOf(convoy('1', [BUDGET_LABELS.stopped])) as ConvoyBudget, 3 * M)).toBeNull();
  });

  it('blocks dispatch when used up by its labels, by its spend, or stopped', () => {
    const b = budgetOf(convoy('1')) as ConvoyBudget;
    expect(blocksDispatch(b, 0.99 * M)).toBe(false);
    expect(blocksDispatch(b, M)).toBe(true); // the threshold was never marked: the spend says so
    expect(blocksDispatch({ ...b, state: 'exhausted' }, 0)).toBe(true);
    expect(blocksDispatch({ ...b, state: 'stopped' }, 0)).toBe(true);
    expect(dispatchRefusal('al-5', 'hq-cv-1', b, 1.2 * M)).toBe(
      'al-5 is not dispatched: convoy hq-cv-1 has used its budget (spent $1.20 of $1.00); run gt convoy budget hq-cv-1 --extend USD to resume it, or --stop to close it',
    );
  });

  it('extends by the amount given: labels replaced, the state started over against the new total', () => {
    const c = convoy('1', [BUDGET_LABELS.exhausted]);
    const b = budgetOf(c) as ConvoyBudget;
    expect(extendStep(b)).toBe(M); // the card's Extend by $X: another round of the first size
    const once = extension('hq-cv-1', b, M, 1.2 * M);
    expect(once).toMatchObject({ total: 2 * M, state: 'ok' });
    const c1 = apply(c, once);
    expect(budgetOf(c1)).toEqual({ initial: M, extended: M, total: 2 * M, state: 'ok' });
    // Past 80 % of the new total already: warned, so the next threshold is 100 %.
    const twice = extension('hq-cv-1', budgetOf(c1) as ConvoyBudget, 0.25 * M, 1.9 * M);
    const c2 = apply(c1, twice);
    expect(budgetOf(c2)).toEqual({ initial: M, extended: 1.25 * M, total: 2.25 * M, state: 'warned' });
    expect(c2.labels.filter((l) => l.startsWith('budget:extended:'))).toEqual(['budget:extended:1.25']);
    // A stopped (then reopened) convoy goes on when extended.
    const stopped = budgetOf(convoy('1', [BUDGET_LABELS.stopped])) as ConvoyBudget;
    expect(budgetOf(apply(convoy('1', [BUDGET_LABELS.stopped]), extension('c', stopped, M, 0)))?.state).toBe(
      'ok',
    );
  });

  it('refuses an extension that leaves it used up, or over the maximum, saying what to give', () => {
    const b = budgetOf(convoy('1', [BUDGET_LABELS.exhausted])) as ConvoyBudget;
    const small = refusal(() => extension('hq-cv-1', b, 0.1 * M, 1.2 * M));
    expect(small.code).toBe('extension_too_small');
    expect(small.message).toBe(
      'extending convoy hq-cv-1 by $0.10 leaves its budget ($1.10) used up: it has spent $1.20; give more than $0.20',
    );
    expect(refusal(() => extension('hq-cv-1', b, 0.2 * M, 1.2 * M)).code).toBe('extension_too_small');
    expect(extension('hq-cv-1', b, 0.2 * M + 1, 1.2 * M).state).toBe('warned');
    expect(refusal(() => extension('hq-cv-1', b, 1_000_000 * M, 0)).message).toMatch(
      /over the maximum.*give/,
    );
  });

  it('stops: stopped, whatever it was; the reason says who and the spend, or the note', () => {
    const c = apply(convoy('1', [BUDGET_LABELS.warned, BUDGET_LABELS.exhausted]), stopChange());
    expect(budgetOf(c)?.state).toBe('stopped');
    expect(c.labels).toEqual([BUDGET_LABELS.stopped]);
    const b = budgetOf(convoy('1')) as ConvoyBudget;
    expect(stoppedReason('slack:U1', undefined, b, 1.2 * M)).toBe(
      'Stopped over budget by slack:U1 (spent $1.20 of $1.00)',
    );
    expect(stoppedReason('cli:ann', 'not worth more', b, 0)).toBe(
      'Stopped over budget by cli:ann: not worth more',
    );
  });

  it('says in the thread what crossing each threshold means', () => {
    const b = budgetOf(convoy('1')) as ConvoyBudget;
    expect(thresholdLine('hq-cv-1', 'warned', b, 0.9 * M)).toBe(
      '⚠ Budget: convoy hq-cv-1 has spent 80 % of its $1.00 budget ($0.90 so far); at 100 % no new beads are dispatched',
    );
    expect(thresholdLine('hq-cv-1', 'exhausted', b, 1.2 * M)).toMatch(
      /^⛔ Budget used up: convoy hq-cv-1 has spent its \$1\.00 budget \(\$1\.20 so far\); no new beads are dispatched/,
    );
  });

  it('defaults per rig (GT_DEFAULT_BUDGET_USD): the strictest of a convoy’s rigs, else the town’s', () => {
    const d = parseBudgetDefaults('5, alpha=2,beta=10');
    expect(d).toEqual({ town: 5 * M, rigs: { alpha: 2 * M, beta: 10 * M } });
    expect(defaultBudget(d, [])).toBe(5 * M);
    expect(defaultBudget(d, ['beta'])).toBe(10 * M);
    expect(defaultBudget(d, ['beta', 'gamma'])).toBe(5 * M);
    expect(defaultBudget(d, ['alpha', 'beta'])).toBe(2 * M);
    expect(defaultBudget(parseBudgetDefaults(''), ['alpha'])).toBeNull();
    expect(defaultBudget(parseBudgetDefaults('alpha=2'), ['beta'])).toBeNull();
    expect(defaultBudget(parseBudgetDefaults('alpha=2'), ['alpha', 'beta'])).toBe(2 * M);
    expect(refusal(() => parseBudgetDefaults('5,6')).message).toMatch(/two town-wide amounts; give one/);
    expect(refusal(() => parseBudgetDefaults('a=1,a=2')).message).toMatch(/names rig a twice; give one/);
    expect(refusal(() => parseBudgetDefaults('alpha=lots')).message).toMatch(
      /GT_DEFAULT_BUDGET_USD for rig alpha "lots" is not an amount of dollars; give/,
    );
  });
});
