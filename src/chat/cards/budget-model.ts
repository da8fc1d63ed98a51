import type { Args } from '../../commands/syntax.ts';
import type { Bead } from '../../domain/bead.ts';
import { type ConvoyBudget, extendStep, spendLevel, usdField } from '../../domain/budget.ts';
import type { Reply } from '../../domain/reply.ts';
import { toUsd } from '../../domain/usage.ts';
import { formatUsd } from '../../domain/usage-costs.ts';
import { oneLine } from './queue-model.ts';

/**
 * A click on a convoy's budget card: Extend by the amount the button shows, or Stop, at the
 * convoy version the card showed (the verb compares it: a double or stale click is refused and
 * changes nothing). `micros`: the extension (0 for Stop).
 */
export interface BudgetClick {
  convoy: string;
  version: number;
  action: 'extend' | 'stop';
  micros: number;
}

export interface BudgetButton {
  label: string;
  click: BudgetClick;
  style: 'primary' | 'danger';
  /** Asked before the click is made (Slack: a confirm dialog; Discord: a "Yes" button). */
  confirm: { title: string; text: string } | null;
}

/**
 * What the card says: `exhausted` (a person's turn: Extend, Stop), `extended` (going on with a
 * bigger budget), `stopped` (closed over its budget), `closed` (landed or closed otherwise).
 */
export type BudgetCardState = 'exhausted' | 'extended' | 'stopped' | 'closed';

/** Text here is as written (the title, close reasons): each renderer makes it inert. */
export interface BudgetCardModel {
  convoy: string;
  title: string;
  state: BudgetCardState;
  budget_usd: number;
  initial_usd: number;
  extended_usd: number;
  spent_usd: number;
  /** Its beads a polecat still works on (they finish; only `--hard` stops them). */
  running: number;
  /** One line saying where the convoy stands. */
  headline: string;
  /** Extend by $X and Stop while it is used up and open; none otherwise. */
  buttons: BudgetButton[];
}

const usd = (micros: number) => formatUsd(toUsd(micros));

/**
 * The card of a convoy's budget, from the convoy, its budget, its spend and its running beads.
 * `level`: the budget (micros) the card was posted for — a card of a budget since extended says
 * so whatever happens next (a convoy used up again gets a card of its own).
 */
export function budgetCardModel(
  convoy: Pick<Bead, 'id' | 'title' | 'status' | 'version' | 'close_reason'>,
  b: ConvoyBudget,
  spent: number,
  running: number,
  level: number = b.total,
): BudgetCardModel {
  const closed = convoy.status === 'closed';
  const usedUp = !closed && (b.state === 'exhausted' || spendLevel(b.total, spent) === 'exhausted');
  const state: BudgetCardState =
    level < b.total
      ? 'extended'
      : closed
        ? b.state === 'stopped'
          ? 'stopped'
          : 'closed'
        : usedUp || b.state === 'stopped'
          ? 'exhausted'
          : 'extended';
  const of = `spent ${usd(spent)} of ${usd(b.total)}`;
  const runs =
    running === 0 ? 'nothing running' : `${running} running ${running === 1 ? 'finishes' : 'finish'}`;
  const headline = {
    exhausted: `Budget used up (${of}): no new beads are dispatched; ${runs}.`,
    extended: `Budget extended to ${usd(b.total)} (${usd(b.initial)} + ${usd(b.extended)}), ${of}.`,
    stopped: `Stopped — ${oneLine(convoy.close_reason) || 'over budget'} (${of}).`,
    closed: `Closed — ${oneLine(convoy.close_reason) || 'closed'} (${of}).`,
  }[state];
  const step = extendStep(b);
  const at = { convoy: convoy.id, version: convoy.version };
  return {
    convoy: convoy.id,
    title: oneLine(convoy.title),
    state,
    budget_usd: toUsd(b.total),
    initial_usd: toUsd(b.initial),
    extended_usd: toUsd(b.extended),
    spent_usd: toUsd(spent),
    running,
    headline,
    buttons:
      state === 'exhausted'
        ? [
            {
              label: `Extend by ${usd(step)}`,
              click: { ...at, action: 'extend', micros: step },
              style: 'primary',
              confirm: null,
            },
            {
              label: 'Stop',
              click: { ...at, action: 'stop', micros: 0 },
              style: 'danger',
              confirm: {
                title: 'Stop the convoy?',
                text: `This closes convoy ${convoy.id}: none of its beads are dispatched any more; ${runs}.`,
              },
            },
          ]
        : [],
  };
}

/** `budget:<convoy>:<version>:<extend|stop>:<micros>` (ids hold no `:`). */
export const encodeBudgetClick = (c: BudgetClick): string =>
  `budget:${c.convoy}:${c.version}:${c.action}:${c.micros}`;

const TOKEN = /^[A-Za-z0-9._-]{1,64}$/;

/** The click a button value names, or null for anything else (a forged or foreign value). */
export function parseBudgetClick(value: string): BudgetClick | null {
  const parts = value.split(':');
  if (parts.length !== 5 || parts[0] !== 'budget') return null;
  const [, convoy = '', version = '', action = '', micros = ''] = parts;
  if (!TOKEN.test(convoy) || !/^\d{1,15}$/.test(version) || !/^\d{1,13}$/.test(micros)) return null;
  const amount = Number(micros);
  if (action === 'extend' && amount > 0) return { convoy, version: Number(version), action, micros: amount };
  if (action === 'stop' && amount === 0) return { convoy, version: Number(version), action, micros: 0 };
  return null;
}

/**
 * The command a click runs, as the clicking person, through the one command layer (which
 * authorizes it — `budget:extend` in every rig of the convoy —, compares the convoy's version
 * and audits it). Stop gives no reason: the close reason then says who stopped it and the spend.
 */
export function budgetClickCommand(c: BudgetClick): { verb: string; args: Args } {
  const at = { convoy: c.convoy, version: String(c.version) };
  return c.action === 'extend'
    ? { verb: 'gt convoy budget', args: { ...at, extend: usdField(c.micros) } }
    : { verb: 'gt convoy budget', args: { ...at, stop: true } };
}

/**
 * Whether a refused click means the card no longer shows the convoy as it is (changed since it
 * was drawn, extended or stopped by someone else, closed): then the card is redrawn from the
 * ledger. A refusal for want of a permission changes nothing on the card.
 */
export const budgetRefusalRedraws = (reply: Reply | null): boolean =>
  reply !== null && !reply.ok && (reply.error.kind === 'conflict' || reply.error.code === 'convoy_closed');
