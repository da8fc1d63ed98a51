import type { Bead } from '../../../domain/bead.ts';
import {
  type BudgetState,
  budgetOf,
  type ConvoyBudget,
  extension,
  parseUsd,
  stopChange,
  stoppedReason,
} from '../../../domain/budget.ts';
import { conflict, DomainError, refused, usageError } from '../../../domain/errors.ts';
import { compareReady } from '../../../domain/readiness.ts';
import { isDispatchable } from '../../../domain/stranded.ts';
import { toUsd } from '../../../domain/usage.ts';
import { formatUsd } from '../../../domain/usage-costs.ts';
import type { Ledger, WriteContext } from '../../../ledger/port.ts';
import { flag, optString, reqString } from '../../args.ts';
import { type CommandContext, defineCommand } from '../../command.ts';
import type { Args } from '../../syntax.ts';
import { checkVersion } from '../escalation-record.ts';
import { sling } from '../sling.ts';
import { convoySpend, swapLabels } from './budget-watch.ts';
import { loadConvoy, trackedBeads } from './tracked.ts';

const USAGE = 'gt convoy budget <convoy> --extend USD | --stop [--hard] [-r REASON] [--version N]';
/** Tries of the compare-and-swap when no version was given (a spend report may move the labels). */
const TRIES = 5;

export interface BudgetResult {
  convoy_id: string;
  action: 'extend' | 'stop';
  /** The convoy's status after (`open`, a staged status, or `closed` once stopped). */
  status: string;
  state: BudgetState;
  /** What it may spend now, what was added to the initial budget in all, what it spent: dollars. */
  budget_usd: number;
  extended_usd: number;
  spent_usd: number;
  close_reason: string | null;
  /** Extend: its ready beads slung again at once (an open convoy). */
  dispatched: Array<{ id: string; rig: string; ok: boolean; status?: string; error?: string }>;
  /** Stop --hard: the polecats told to stop, with their beads (which stay hooked for a person). */
  stopped: Array<{ agent: string; bead: string }>;
}

type Request = { action: 'extend'; by: number } | { action: 'stop'; hard: boolean; note: string | undefined };

/** The flags, checked before anything is read: one action, and the options that go with it. */
function requestOf(args: Args): Request {
  const extend = optString(args, 'extend');
  const stop = flag(args, 'stop');
  if (extend !== undefined && stop)
    throw usageError('two_actions', `give either --extend USD or --stop, not both. Usage: ${USAGE}`);
  if (!stop && flag(args, 'hard'))
    throw usageError('hard_without_stop', '--hard only goes with --stop (it stops the running polecats too)');
  if (!stop && optString(args, 'reason') !== undefined)
    throw usageError('reason_without_stop', '-r only goes with --stop (the reason the convoy closes with)');
  if (extend !== undefined) return { action: 'extend', by: parseUsd(extend, '--extend') };
  if (stop)
    return { action: 'stop', hard: flag(args, 'hard'), note: optString(args, 'reason')?.trim() || undefined };
  throw usageError('missing_action', `give --extend USD or --stop. Usage: ${USAGE}`);
}

/** The convoy and its budget, refused when it has none or is closed. */
async function budgeted(ledger: Ledger, raw: string, action: Request['action']) {
  const convoy = await loadConvoy(ledger, raw);
  const budget = budgetOf(convoy);
  if (!budget)
    throw refused(
      'no_budget',
      `convoy ${convoy.id} has no budget; a budget is given when a convoy is created or staged (see gt convoy create|stage --budget USD)`,
    );
  if (convoy.status === 'closed')
    throw refused(
      'convoy_closed',
      action === 'stop'
        ? `convoy ${convoy.id} is already closed (${convoy.close_reason || 'no reason given'}); nothing changed`
        : `convoy ${convoy.id} is closed (${convoy.close_reason || 'no reason given'}); its budget cannot be extended — add work to reopen it (gt convoy add)`,
    );
  return { convoy, budget };
}

/**
 * The compare-and-swap of a decision on the convoy's budget: at the version the person saw
 * (`--version`, which a card's button sends: a stale or double click is refused and changes
 * nothing), else at the version read, tried again when a spend report moved the labels meanwhile.
 */
async function decide(
  ledger: Ledger,
  raw: string,
  request: Request,
  version: string | undefined,
  write: WriteContext,
): Promise<{ before: Bead; after: Bead; budget: ConvoyBudget; spent: number }> {
  for (let i = 0; ; i++) {
    const { convoy, budget } = await budgeted(ledger, raw, request.action);
    checkVersion(convoy, version, `gt convoy status ${convoy.id}`);
    const spent = await convoySpend(ledger, convoy.id);
    const change =
      request.action === 'extend' ? extension(convoy.id, budget, request.by, spent) : stopChange();
    const after = await swapLabels(ledger, convoy, change, write);
    if (after) return { before: convoy, after, budget, spent };
    if (version !== undefined || i + 1 >= TRIES)
      throw conflict(
        'stale_version',
        `convoy ${convoy.id} changed meanwhile; nothing changed — look again with gt convoy status ${convoy.id}`,
      );
  }
}

/** An extended convoy goes on at once: every ready bead it tracks (queued ones too) is slung again. */
async function resume(
  ledger: Ledger,
  convoy: Bead,
  write: WriteContext,
): Promise<BudgetResult['dispatched']> {
  if (convoy.status !== 'open') return []; // staged: dispatched when launched
  const rigs = new Map((await ledger.listRigs()).map((r) => [r.name, r]));
  const ready = (await trackedBeads(ledger, convoy.id))
    .filter((b) => isDispatchable(b, rigs))
    .sort(compareReady);
  const results: BudgetResult['dispatched'] = [];
  for (const b of ready) {
    try {
      const r = await sling(ledger, b.id, undefined, false, write);
      results.push({ id: b.id, rig: r.rig, ok: true, status: r.status });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      results.push({ id: b.id, rig: b.rig ?? '', ok: false, error: err.message });
    }
  }
  return results;
}

/** Closes the stopped convoy; `hard`: its running polecats are told to stop (their beads stay hooked). */
async function close(
  ctx: CommandContext,
  convoy: Bead,
  reason: string,
  hard: boolean,
  write: WriteContext,
): Promise<{ closed: Bead; stopped: BudgetResult['stopped'] }> {
  const ledger = ctx.services.ledger;
  try {
    await ledger.closeBead(convoy.id, { reason, force: true }, write);
  } catch (err) {
    // Landed by the feeder between the swap and here: closed either way.
    if (!(err instanceof DomainError && err.code === 'already_closed')) throw err;
  }
  const stopped: BudgetResult['stopped'] = [];
  if (hard)
    for (const b of await trackedBeads(ledger, convoy.id)) {
      if ((b.status !== 'hooked' && b.status !== 'in_progress') || !b.assignee?.includes('/')) continue;
      await ctx.services.live?.stop(b.assignee, b.id);
      await ledger.addComment(
        b.id,
        `stopped ${b.assignee}: convoy ${convoy.id} was stopped over its budget`,
        write,
      );
      stopped.push({ agent: b.assignee, bead: b.id });
    }
  return { closed: (await ledger.getBead(convoy.id)) ?? convoy, stopped };
}

/**
 * `gt convoy budget <convoy> --extend USD | --stop [--hard]`: a person's decision on a convoy's
 * budget (docs/costs.md "Budgets"), also what the budget card's buttons run. Extend raises it and
 * the convoy goes on at once; Stop closes the convoy with a reason — its running beads finish,
 * or with `--hard` their polecats are stopped (`gt polecat stop`'s order; the beads stay hooked
 * for a person to decide).
 */
export const gtConvoyBudget = defineCommand<BudgetResult>({
  path: ['gt', 'convoy', 'budget'],
  summary: 'Extend a convoy’s budget (it dispatches again) or stop the convoy',
  usage: USAGE,
  syntax: {
    positionals: [{ name: 'convoy', required: true }],
    flags: {
      extend: { type: 'string', description: 'add this many dollars to its budget' },
      stop: { type: 'boolean', description: 'close the convoy: no more of its work is dispatched' },
      hard: { type: 'boolean', description: 'with --stop: stop its running polecats too' },
      reason: { type: 'string', short: 'r', description: 'with --stop: why (the close reason)' },
      version: { type: 'string', description: 'the convoy version you saw (a card’s button sends it)' },
    },
  },
  mutates: true,
  async run(args, ctx) {
    const request = requestOf(args);
    const version = optString(args, 'version');
    if (version !== undefined && !/^\d{1,15}$/.test(version))
      throw usageError(
        'bad_version',
        `--version ${JSON.stringify(version)} is not a version; give the number gt convoy status shows (a card's button sends it)`,
      );
    const ledger = ctx.services.ledger;
    const write = ctx.write();
    const { after, budget, spent } = await decide(ledger, reqString(args, 'convoy'), request, version, write);
    const now = budgetOf(after) ?? budget;
    const base = {
      convoy_id: after.id,
      action: request.action,
      state: now.state,
      budget_usd: toUsd(now.total),
      extended_usd: toUsd(now.extended),
      spent_usd: toUsd(spent),
    };
    if (request.action === 'extend') {
      const dispatched = await resume(ledger, after, write);
      return { data: { ...base, status: after.status, close_reason: null, dispatched, stopped: [] } };
    }
    const reason = stoppedReason(ctx.actor.id, request.note, budget, spent);
    const { closed, stopped } = await close(ctx, after, reason, request.hard, write);
    return {
      data: { ...base, status: closed.status, close_reason: closed.close_reason, dispatched: [], stopped },
    };
  },
  text: (r) => {
    const spent = `spent ${formatUsd(r.spent_usd)} of ${formatUsd(r.budget_usd)}`;
    if (r.action === 'stop')
      return `convoy ${r.convoy_id} stopped: ${r.close_reason}; ${
        r.stopped.length
          ? `stopped ${r.stopped.map((s) => `${s.agent} (${s.bead})`).join(', ')} — their beads stay hooked`
          : 'running beads finish'
      }`;
    const went = r.dispatched.filter((d) => d.ok).map((d) => d.id);
    const next =
      r.status !== 'open'
        ? 'it dispatches when launched'
        : went.length
          ? `dispatching again: ${went.join(', ')}`
          : 'nothing ready to dispatch now';
    return `convoy ${r.convoy_id}: budget now ${formatUsd(r.budget_usd)} (${spent}); ${next}`;
  },
});
