import { parseAgentAddress, rigOfAgent } from '../../domain/agent-address.ts';
import type { Bead } from '../../domain/bead.ts';
import { conflict, notFound, refused, usageError } from '../../domain/errors.ts';
import { describeLimit, limitReason, parseResetAt, type UsageLimit } from '../../domain/usage-limit.ts';
import { incarnationOf, limitRequeuePatch } from '../../domain/usage-limit-requeues.ts';
import { parseId } from '../../domain/validation.ts';
import type { Ledger, WriteContext } from '../../ledger/port.ts';
import { optInt, optString, reqString } from '../args.ts';
import { defineCommand } from '../command.ts';
import { sling } from './sling.ts';
import { fileNotice } from './usage-limit-notice.ts';
import { pauseForLimit } from './usage-limit-pause.ts';

const USAGE = 'gt polecat limited <agent> --bead ID -m MESSAGE [--reset-at TIME] [--incarnation N]';

export interface LimitedResult {
  agent: string;
  bead_id: string;
  /** The rigs this limit pauses now (the polecat's and those sharing its account), with their pause. */
  paused: Array<{ rig: string; usage_limit: UsageLimit }>;
  /** The escalation people were notified with, when this limit started a pause; null otherwise. */
  notice: string | null;
}

/** The bead must still be on the agent's hook, in the start of it the report is about. */
function checkOnHook(bead: Bead, agent: string, incarnation: number | undefined): void {
  const onHook = bead.assignee === agent && (bead.status === 'hooked' || bead.status === 'in_progress');
  if (!onHook)
    throw conflict(
      'not_on_hook',
      `${bead.id} is not on ${agent}'s hook any more (${bead.status}${bead.assignee ? `, ${bead.assignee}` : ''}); nothing to requeue — see gt polecats`,
    );
  if (incarnation !== undefined && incarnation !== incarnationOf(bead))
    throw conflict(
      'stale_report',
      `${bead.id} was started again since (start ${incarnationOf(bead)}, not ${incarnation}); the report is about an earlier process: nothing to requeue, see gt polecats`,
    );
}

/**
 * Gives the bead back to the queue untouched: one compare-and-swap hooked-to-agent → open,
 * counted as a limit requeue (`limits:N`, a new incarnation) but never as a respawn, the slot
 * freed, then slung again — which the pause set just before defers (it waits, queued, until the
 * pause lifts; see gt rig resume).
 */
async function requeue(ledger: Ledger, bead: Bead, agent: string, write: WriteContext): Promise<void> {
  const released = await ledger.claimBead(
    bead.id,
    {
      expect: { status: bead.status, assignee: agent, version: bead.version },
      set: { status: 'open', assignee: null, ...limitRequeuePatch(bead) },
    },
    write,
  );
  if (!released)
    throw conflict('bead_moved', `${bead.id} changed meanwhile; nothing was requeued, see gt polecats`);
  const [rig, name] = agent.split('/') as [string, string];
  await ledger.freeSlot(rig, name, bead.id);
  await sling(ledger, bead.id, undefined, false, write).catch(() => undefined);
}

/**
 * `gt polecat limited`: a polecat exited because its agent hit a usage limit — the `usage-limited`
 * verdict. What a rig runner calls when it reads one in the agent's output, before it reports the
 * exit (so the witness never sees a dead process to respawn); the witness calls it only when that
 * failed (domain/witness-policy.ts). The rig (and every rig sharing its account) pauses dispatch
 * until the reset time plus jitter, or for a backoff when the agent named none; the bead goes
 * back to the queue without counting as a respawn; a new pause notifies people once.
 */
export const gtPolecatLimited = defineCommand<LimitedResult>({
  path: ['gt', 'polecat', 'limited'],
  summary: 'A polecat hit its account’s usage limit: requeue its bead (not a respawn) and pause the rig',
  usage: USAGE,
  syntax: {
    positionals: [{ name: 'agent', required: true }],
    flags: {
      bead: { type: 'string', description: 'the bead the polecat worked on' },
      message: { type: 'string', short: 'm', description: 'the agent’s own words about the limit' },
      'reset-at': {
        type: 'string',
        description: 'when the limit lifts, ISO (leave out when the agent named none)',
      },
      incarnation: {
        type: 'string',
        description: 'which start of the bead the process was (refused if started again since)',
      },
    },
  },
  mutates: true,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const agent = parseAgentAddress(reqString(args, 'agent'), '<agent>');
    const rawBead = optString(args, 'bead');
    if (rawBead === undefined)
      throw usageError('missing_argument', `give --bead (the bead it worked on). Usage: ${USAGE}`);
    const rawMessage = optString(args, 'message');
    const message = rawMessage === undefined ? '' : limitReason(rawMessage);
    if (message === '')
      throw usageError(
        'missing_message',
        `give -m with the agent's own words about the limit. Usage: ${USAGE}`,
      );
    const rawReset = optString(args, 'reset-at');
    const reset_at = rawReset === undefined ? null : parseResetAt(rawReset);
    const incarnation = optInt(args, 'incarnation', 0, 1_000_000);
    const bead = await ledger.getBead(parseId(rawBead));
    if (!bead) throw notFound('bead', rawBead);
    checkOnHook(bead, agent, incarnation);
    const rig = bead.rig ? await ledger.getRig(bead.rig) : null;
    if (!rig || rig.name !== rigOfAgent(agent))
      throw refused(
        'wrong_rig',
        `${bead.id} is not work of ${agent}'s rig; give the polecat that worked on it`,
      );
    const write = ctx.write();
    // Pause first: the requeue's own sling (and any feeder meanwhile) must find the rig paused.
    // The jitter's randomness is the domain's argument (tests choose it); here it is real.
    const paused = await pauseForLimit(ledger, rig, { agent, reset_at, message }, write, Math.random);
    await requeue(ledger, bead, agent, write);
    const until = paused[0]?.usage_limit.until;
    await ledger.addComment(
      bead.id,
      `usage limit hit by ${agent}: ${message}; back to the queue (not a respawn)${until ? `, rig ${rig.name} paused until ${until}` : ''}`,
      write,
    );
    const notice = paused.some((p) => p.started) ? await fileNotice(ctx, agent, paused) : null;
    return {
      data: {
        agent,
        bead_id: bead.id,
        paused: paused.map(({ rig, usage_limit }) => ({ rig, usage_limit })),
        notice,
      },
    };
  },
  text: (r) =>
    [
      `${r.bead_id} back to the queue from ${r.agent} (usage limit; not a respawn)`,
      ...r.paused.map((p) => `rig ${p.rig} paused: ${describeLimit(p.usage_limit)}`),
      ...(r.notice ? [`notice: ${r.notice}`] : []),
    ].join('\n'),
});
