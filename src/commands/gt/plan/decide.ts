import { MAYOR } from '../../../domain/agent-address.ts';
import type { Bead } from '../../../domain/bead.ts';
import { conflict, usageError } from '../../../domain/errors.ts';
import {
  discardedReason,
  launchedReason,
  planCleanupReason,
  planFacts,
  revisionComment,
  stateChange,
} from '../../../domain/plan.ts';
import type { Ledger, WriteContext } from '../../../ledger/port.ts';
import { flag, optString, reqString } from '../../args.ts';
import { type CommandContext, defineCommand } from '../../command.ts';
import { type LaunchResult, launch } from '../convoy/launch.ts';
import { trackedBeads } from '../convoy/tracked.ts';
import { senderAddress } from '../mail/recipients.ts';
import { sendMail } from '../mail/send.ts';
import { loadPlan, type PlanRecord, requireState, requireVersion } from './plan-record.ts';
import { closeLeftovers, closeUnlessClosed, failRound, requeueRound } from './round.ts';
import { viewPlan } from './show.ts';

const ID = { positionals: [{ name: 'id', required: true }] };
const VERSION = { type: 'string' as const, description: 'the convoy version you saw (the card sends it)' };
const MAX_REVISION = 4_000;

/** The convoy's compare-and-swap: only at the version seen, and it marks the convoy decided. */
async function claimConvoy(ledger: Ledger, convoy: Bead, label: string, write: WriteContext): Promise<void> {
  const won = await ledger.claimBead(
    convoy.id,
    {
      expect: { status: convoy.status, assignee: convoy.assignee, version: convoy.version },
      set: { status: convoy.status, assignee: convoy.assignee, add_labels: [label] },
    },
    write,
  );
  if (!won)
    throw conflict('stale_version', `convoy ${convoy.id} changed meanwhile; see gt plan show ${convoy.id}`);
}

export interface PlanLaunch extends LaunchResult {
  plan: string;
}

/**
 * `gt plan launch <convoy>`: a person approves the plan — a compare-and-swap on the staged
 * convoy at the version seen (a plan revised since the card was drawn is refused), then the
 * convoy launches (wave 1 slung) and the plan closes `Launched by …`.
 */
export const gtPlanLaunch = defineCommand<PlanLaunch>({
  path: ['gt', 'plan', 'launch'],
  summary: 'Approve a plan: launch its staged convoy (wave 1 goes to polecats)',
  usage: 'gt plan launch <convoy | plan> [--version N] [--force]',
  syntax: {
    ...ID,
    flags: {
      version: VERSION,
      force: { type: 'boolean', short: 'f', description: 'launch despite staging warnings' },
    },
  },
  mutates: true,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const r = await loadPlan(ledger, reqString(args, 'id'));
    requireState(r, ['ready'], 'launch');
    requireVersion(r, optString(args, 'version'));
    const convoy = r.convoy as Bead;
    const write = ctx.write();
    await claimConvoy(ledger, convoy, 'plan:launched', write);
    let launched: LaunchResult;
    try {
      // Gated steps (a person's decision first) are what a plan expects: those warnings alone do not stop it.
      const view = await viewPlan(ledger, { ...r, convoy: await ledger.getBead(convoy.id) });
      const onlyGates = view.warnings.every((w) => w.category === 'gated');
      launched = await launch(ledger, [convoy.id], flag(args, 'force') || onlyGates, write);
    } catch (err) {
      await ledger.updateBead(convoy.id, { remove_labels: ['plan:launched'] }, write);
      throw err;
    }
    await ledger.closeBead(
      r.plan.id,
      { reason: launchedReason(ctx.actor.id, convoy.id), force: true },
      write,
    );
    return { data: { ...launched, plan: r.plan.id } };
  },
  text: (l) =>
    [
      `${l.plan}: launched as convoy ${l.convoy_id}, ${l.waves} wave(s)`,
      ...l.dispatched.map(
        (d) => `  ${d.ok ? '✓' : '✗'} ${d.id} (rig: ${d.rig})${d.error ? `  error: ${d.error}` : ''}`,
      ),
      `Monitor: gt convoy status ${l.convoy_id}`,
    ].join('\n'),
});

/** Closes the plan's convoy, its open beads and the epics left with nothing open under them. */
async function closePlanned(
  ledger: Ledger,
  convoy: Bead,
  reason: string,
  write: WriteContext,
): Promise<void> {
  const open = (await trackedBeads(ledger, convoy.id)).filter((b) => b.status !== 'closed');
  for (const b of open) await closeUnlessClosed(ledger, b.id, reason, write);
  let parents = [...new Set(open.map((b) => b.parent).filter((p): p is string => p !== null))];
  while (parents.length > 0) {
    const next: string[] = [];
    for (const id of parents) {
      const parent = await ledger.getBead(id);
      if (!parent || parent.status === 'closed' || parent.issue_type !== 'epic') continue;
      if ((await ledger.listBeads({ parent: id })).length > 0) continue; // something else still open under it
      await closeUnlessClosed(ledger, id, reason, write);
      if (parent.parent) next.push(parent.parent);
    }
    parents = next;
  }
  await closeUnlessClosed(ledger, convoy.id, reason, write);
}

/**
 * `gt plan discard <convoy> [-r REASON]`: the plan is not wanted — its staged convoy, the beads
 * it tracks and the epics they emptied are closed with the reason, and the plan closes
 * `Discarded by …`. A plan still being made is stopped as well (what that round made is closed).
 */
export const gtPlanDiscard = defineCommand<Bead>({
  path: ['gt', 'plan', 'discard'],
  summary: 'Discard a plan: close its staged convoy and its beads, with a reason',
  usage: 'gt plan discard <convoy | plan> [-r REASON] [--version N]',
  syntax: {
    ...ID,
    flags: {
      reason: { type: 'string', short: 'r', description: 'why (kept on every bead closed)' },
      version: VERSION,
    },
  },
  mutates: true,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const r = await loadPlan(ledger, reqString(args, 'id'));
    requireState(r, ['queued', 'planning', 'ready'], 'discard');
    requireVersion(r, optString(args, 'version'));
    const reason = discardedReason(ctx.actor.id, optString(args, 'reason')?.trim());
    const write = ctx.write();
    if (r.convoy && r.convoy.status !== 'closed') {
      await claimConvoy(ledger, r.convoy, 'plan:discarded', write);
      await closePlanned(ledger, r.convoy, planCleanupReason(r.plan.id, reason), write);
    }
    if (r.facts.state === 'planning')
      await closeLeftovers(ledger, r, null, planCleanupReason(r.plan.id, reason), write);
    return { data: await ledger.closeBead(r.plan.id, { reason, force: true }, write) };
  },
  text: (b) => `${b.id}: ${b.close_reason}`,
});

/**
 * `gt plan revise <convoy> -m TEXT`: asks the Mayor for changes — the text goes to it as mail
 * (and on the plan, for the record), and the plan queues for another round on the same convoy;
 * the card is redrawn when the round ends. A compare-and-swap on the plan: one revision at a time.
 */
export const gtPlanRevise = defineCommand<{ plan: string; convoy: string | null; mail: string }>({
  path: ['gt', 'plan', 'revise'],
  summary: 'Ask the Mayor to change a plan (the text goes to it as mail)',
  usage: 'gt plan revise <convoy | plan> -m TEXT [--version N]',
  syntax: {
    ...ID,
    flags: { message: { type: 'string', short: 'm', description: 'what to change' }, version: VERSION },
  },
  mutates: true,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const text = (optString(args, 'message') ?? '').trim();
    if (text === '')
      throw usageError('missing_message', 'give what to change: gt plan revise <convoy> -m "…"');
    if (text.length > MAX_REVISION)
      throw usageError(
        'message_too_long',
        `the revision is over ${MAX_REVISION} characters; use at most ${MAX_REVISION}`,
      );
    const r = await loadPlan(ledger, reqString(args, 'id'));
    requireState(r, ['ready'], 'revise');
    requireVersion(r, optString(args, 'version'));
    return { data: await queueRevision(ctx, r, text) };
  },
  text: (d) => `${d.plan}: the Mayor has your revision (mail ${d.mail}); the plan is redrawn when it is done`,
});

async function queueRevision(ctx: CommandContext, r: PlanRecord, text: string) {
  const ledger = ctx.services.ledger;
  const write = ctx.write();
  const queued = await ledger.claimBead(
    r.plan.id,
    {
      expect: { status: r.plan.status, assignee: r.plan.assignee, version: r.plan.version },
      set: { status: 'open', assignee: null, ...stateChange(r.plan.labels, 'queued') },
    },
    write,
  );
  if (!queued)
    throw conflict(
      'stale_version',
      `${r.plan.id} changed meanwhile (revised by someone else?); see gt plan show ${r.plan.id}`,
    );
  await ledger.addComment(r.plan.id, revisionComment(ctx.actor.id, text), write);
  const [mail] = await sendMail(
    ledger,
    senderAddress(ctx.actor),
    {
      to: MAYOR,
      subject: `Revise plan ${r.plan.id}${r.convoy ? ` (convoy ${r.convoy.id})` : ''}`,
      body: text,
    },
    write,
  );
  return { plan: r.plan.id, convoy: r.convoy?.id ?? null, mail: mail?.id ?? '' };
}

/**
 * `gt plan stop <plan> [-r REASON] [--requeue]`: ends the Mayor's current round (its process is
 * stopped) — what the round made is closed; a plan with an earlier convoy returns to review,
 * else it fails. `--requeue` starts the round over instead (the plan waits for the Mayor again).
 * The service runs it when the Mayor exits without `gt done` or runs out of time, and with
 * `--requeue` for a round a restart interrupted.
 */
export const gtPlanStop = defineCommand<Bead>({
  path: ['gt', 'plan', 'stop'],
  summary: 'Stop the Mayor’s round on a plan; what the round made is closed',
  usage: 'gt plan stop <plan> [-r REASON] [--requeue]',
  syntax: {
    ...ID,
    flags: {
      reason: { type: 'string', short: 'r', description: 'why' },
      requeue: { type: 'boolean', description: 'plan it again from the start (default: the round fails)' },
    },
  },
  mutates: true,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const r = await loadPlan(ledger, reqString(args, 'id'));
    requireState(r, ['queued', 'planning'], 'stop');
    const why = optString(args, 'reason')?.trim() || `stopped by ${ctx.actor.id}`;
    const end = flag(args, 'requeue') ? requeueRound : failRound;
    return { data: await end(ledger, r, why, ctx.write()) };
  },
  text: (b) =>
    b.status === 'closed'
      ? `${b.id}: ${b.close_reason}`
      : `${b.id}: round stopped; ${planFacts(b).state === 'queued' ? 'the Mayor plans it again' : 'the earlier plan waits for review again'}`,
});
