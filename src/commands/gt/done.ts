import type { Bead } from '../../domain/bead.ts';
import { parseConvoyFields } from '../../domain/convoy-fields.ts';
import { refused, usageError } from '../../domain/errors.ts';
import { polecatBranch } from '../../domain/hook.ts';
import { landingStrategy } from '../../domain/landing-strategy.ts';
import type { MergeStrategy } from '../../domain/merge-policy.ts';
import { directMergedReason, MERGING_LABEL } from '../../domain/merge-request.ts';
import { isPlan } from '../../domain/plan.ts';
import type { Rig } from '../../domain/rig.ts';
import type { Ledger } from '../../ledger/port.ts';
import { optInt, optString } from '../args.ts';
import { defineCommand } from '../command.ts';
import { agentOf, hookedBead } from './agent.ts';
import { convoysTracking } from './convoy/tracked.ts';
import { landDirectly } from './done-direct.ts';
import { integrationTargetOf } from './mq/integration-target.ts';
import { submitWork, type Work } from './mq/submission.ts';
import { planDone } from './plan/plan-done.ts';

const DONE_STATUSES = ['completed', 'escalated', 'deferred'] as const;
type DoneStatus = (typeof DONE_STATUSES)[number];

export interface DoneResult {
  id: string;
  agent: string;
  exit: DoneStatus;
  status: string;
  branch: string | null;
  commit: string | null;
  /** The merge request the work waits in (strategy `mr`), else null. */
  mr: string | null;
  /** Where the work landed in this request (strategy `direct`), else null. */
  landed: { commit: string; target: string } | null;
}

/** How this bead's work lands: its convoy's `--merge`, else its rig's strategy. */
async function strategyOf(ledger: Ledger, bead: Bead, rig: Rig | null): Promise<MergeStrategy> {
  const [convoy] = await convoysTracking(ledger, bead.id);
  return landingStrategy(rig, convoy && parseConvoyFields(convoy.description).merge);
}

/**
 * `gt done`: completed work lands as its strategy says (domain/landing-strategy.ts). `mr`
 * submits the polecat's branch, bound to its HEAD, and the bead waits (blocked, label
 * gt:merging) until the refinery lands it — it closes only when its work is on the target;
 * `direct` verifies and lands it in this request (refused, with the evidence, when it does not
 * land); `local` closes it now, the branch kept. Escalated marks it blocked (label gt:escalated)
 * for a person; deferred parks it (deferred, unassigned) until re-slung. Whichever, the
 * polecat's slot is freed and the branch and commit are noted on the bead.
 */
export const gtDone = defineCommand<DoneResult>({
  path: ['gt', 'done'],
  summary: 'Finish the work on my hook (completed, escalated or deferred)',
  usage: 'gt done [--status completed|escalated|deferred] [--agent ADDR] [--branch B] [--commit SHA]',
  syntax: {
    positionals: [],
    flags: {
      status: { type: 'string', description: 'completed (default), escalated or deferred' },
      agent: { type: 'string', description: 'whose hook (default: GT_AGENT)' },
      branch: { type: 'string', description: 'branch holding the work (default: GT_BRANCH)' },
      commit: { type: 'string', description: 'last commit (default: HEAD of the working directory)' },
      uncommitted: { type: 'string', description: 'files left uncommitted (the CLI counts them)' },
    },
  },
  mutates: true,
  // No longer wait than any command (30 s): a reply lost with a dying replica must not hold a
  // polecat for long. A `direct` landing whose gates take longer goes on in the service; the
  // polecat's `gt done` then reports no answer (exit 3) and, run again, finds its work landed.
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const agent = agentOf(args, ctx);
    const exit = (optString(args, 'status') ?? 'completed').toLowerCase() as DoneStatus;
    if (!DONE_STATUSES.includes(exit))
      throw usageError('invalid_done_status', `--status must be one of ${DONE_STATUSES.join(', ')}`);
    const bead = await hookedBead(ledger, agent);
    if (!bead) throw refused('nothing_hooked', `${agent} has nothing on its hook; see gt hook`);
    if (isPlan(bead)) return { data: await planDone(ctx, bead, agent, exit) };
    const commit = optString(args, 'commit') ?? null;
    const rig = bead.rig ? await ledger.getRig(bead.rig) : null;
    const strategy = exit === 'completed' && rig ? await strategyOf(ledger, bead, rig) : 'local';
    const branch = optString(args, 'branch') ?? (strategy !== 'local' ? polecatBranch(agent, bead.id) : null);
    const work: Work | null =
      strategy === 'local' || !rig
        ? null
        : {
            rig,
            bead,
            polecat: agent,
            branch: branch as string,
            sha: commit ?? undefined,
            uncommitted: optInt(args, 'uncommitted', 0, 1_000_000) ?? 0,
            target: await integrationTargetOf(ledger, bead),
          };
    // Submitted (or landed) first: a refusal leaves the bead as it was, on the polecat's hook.
    const submitted = work && strategy === 'mr' ? await submitWork(ctx, work) : null;
    const landed = work && strategy === 'direct' ? await landDirectly(ctx, work) : null;
    const write = ctx.write();
    const where = `${branch ? ` on ${branch}` : ''}${commit ? ` at ${commit}` : ''}`;
    const how = submitted
      ? `; queued to merge as ${submitted.mr.id}`
      : landed
        ? `; landed directly on ${landed.target} at ${landed.commit} (${landed.gates} gate(s) passed)`
        : '';
    await ledger.addComment(bead.id, `gt done (${exit}) by ${agent}${where}${how}`, write);
    const after = submitted
      ? await ledger.updateBead(bead.id, { status: 'blocked', add_labels: [MERGING_LABEL] }, write)
      : exit === 'completed'
        ? await ledger.closeBead(
            bead.id,
            {
              reason: landed
                ? directMergedReason(landed.commit)
                : `Done by ${agent}${commit ? ` at ${commit}` : ''}`,
            },
            write,
          )
        : exit === 'deferred'
          ? await ledger.updateBead(bead.id, { status: 'deferred', assignee: null }, write)
          : await ledger.updateBead(bead.id, { status: 'blocked', add_labels: ['gt:escalated'] }, write);
    if (bead.rig && agent.startsWith(`${bead.rig}/`))
      await ledger.freeSlot(bead.rig, agent.slice(bead.rig.length + 1), bead.id);
    return {
      data: {
        id: bead.id,
        agent,
        exit,
        status: after.status,
        branch,
        commit,
        mr: submitted?.mr.id ?? null,
        landed: landed && { commit: landed.commit, target: landed.target },
      },
    };
  },
  text: (d) =>
    d.mr
      ? `${d.id}: completed — queued to merge as ${d.mr}; it closes when its work is on the target`
      : d.landed
        ? `${d.id}: completed — merged on ${d.landed.target} at ${d.landed.commit.slice(0, 12)}`
        : `${d.id}: ${d.exit} (${d.status})${d.commit ? ` at ${d.commit}` : ''}`,
});
