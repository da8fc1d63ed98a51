import { refused, usageError } from '../../domain/errors.ts';
import { polecatBranch } from '../../domain/hook.ts';
import { MERGING_LABEL } from '../../domain/merge-request.ts';
import type { Rig } from '../../domain/rig.ts';
import { optInt, optString } from '../args.ts';
import { defineCommand } from '../command.ts';
import { agentOf, hookedBead } from './agent.ts';
import { submitWork } from './mq/submission.ts';

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
}

/** Whether a rig's finished work goes through its merge queue (`direct` does too, for now). */
const mergesThroughQueue = (rig: Rig | null): rig is Rig =>
  rig !== null && rig.repo !== null && rig.merge_policy.merge !== 'local';

/**
 * `gt done`: completed on a rig with a merge queue submits the polecat's branch, bound to its
 * HEAD, and the bead waits (blocked, label gt:merging) until the refinery lands it — it closes
 * only when its work is on the target; on a `local` rig it closes now. Escalated marks it blocked
 * (label gt:escalated) for a person; deferred parks it (deferred, unassigned) until re-slung.
 * Whichever, the polecat's slot is freed and the branch and commit are noted on the bead.
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
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const agent = agentOf(args, ctx);
    const exit = (optString(args, 'status') ?? 'completed').toLowerCase() as DoneStatus;
    if (!DONE_STATUSES.includes(exit))
      throw usageError('invalid_done_status', `--status must be one of ${DONE_STATUSES.join(', ')}`);
    const bead = await hookedBead(ledger, agent);
    if (!bead) throw refused('nothing_hooked', `${agent} has nothing on its hook; see gt hook`);
    const commit = optString(args, 'commit') ?? null;
    const rig = bead.rig ? await ledger.getRig(bead.rig) : null;
    const merging = exit === 'completed' && mergesThroughQueue(rig);
    const branch = optString(args, 'branch') ?? (merging ? polecatBranch(agent, bead.id) : null);
    // Submitted first: a refusal (uncommitted work, nothing to merge) leaves everything as it was.
    const submitted = merging
      ? await submitWork(ctx, {
          rig,
          bead,
          polecat: agent,
          branch: branch as string,
          sha: commit ?? undefined,
          uncommitted: optInt(args, 'uncommitted', 0, 1_000_000) ?? 0,
        })
      : null;
    const write = ctx.write();
    const where = `${branch ? ` on ${branch}` : ''}${commit ? ` at ${commit}` : ''}`;
    const queued = submitted ? `; queued to merge as ${submitted.mr.id}` : '';
    await ledger.addComment(bead.id, `gt done (${exit}) by ${agent}${where}${queued}`, write);
    const after = submitted
      ? await ledger.updateBead(bead.id, { status: 'blocked', add_labels: [MERGING_LABEL] }, write)
      : exit === 'completed'
        ? await ledger.closeBead(
            bead.id,
            { reason: `Done by ${agent}${commit ? ` at ${commit}` : ''}` },
            write,
          )
        : exit === 'deferred'
          ? await ledger.updateBead(bead.id, { status: 'deferred', assignee: null }, write)
          : await ledger.updateBead(bead.id, { status: 'blocked', add_labels: ['gt:escalated'] }, write);
    if (bead.rig && agent.startsWith(`${bead.rig}/`))
      await ledger.freeSlot(bead.rig, agent.slice(bead.rig.length + 1), bead.id);
    return {
      data: { id: bead.id, agent, exit, status: after.status, branch, commit, mr: submitted?.mr.id ?? null },
    };
  },
  text: (d) =>
    d.mr
      ? `${d.id}: completed — queued to merge as ${d.mr}; it closes when its work is on the target`
      : `${d.id}: ${d.exit} (${d.status})${d.commit ? ` at ${d.commit}` : ''}`,
});
