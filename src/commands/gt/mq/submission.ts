import { randomBytes } from 'node:crypto';
import type { Bead } from '../../../domain/bead.ts';
import { refused } from '../../../domain/errors.ts';
import { isSha } from '../../../domain/merge-request.ts';
import type { Rig } from '../../../domain/rig.ts';
import type { MergeSubmission } from '../../../ledger/port.ts';
import type { CommandContext } from '../../command.ts';

export interface Work {
  rig: Rig;
  bead: Bead | null;
  polecat: string | null;
  branch: string;
  /** The commit the submitter says it is done at (its HEAD). */
  sha: string | undefined;
  /** Files left uncommitted in the submitter's worktree, as its CLI counted them. */
  uncommitted?: number;
  /** Where it lands when not on the rig's target: its epic's integration branch. */
  target?: string | null;
}

/** Work that passed the checks: the commit it is at and the branch it lands on. */
export interface CheckedWork {
  head: string;
  target: string;
}

/**
 * Refuses, saying what to do, work there is nothing (or not all) to merge of: uncommitted files,
 * a branch the rig's repository does not have at that commit (not pushed), no commits beyond
 * the target. Changes nothing.
 */
export async function checkWork(ctx: CommandContext, w: Work): Promise<CheckedWork> {
  const repos = ctx.services.repos;
  const path = w.rig.repo;
  if (!repos || !path || !(await repos.isRepo(path)))
    throw refused(
      'no_repository',
      `rig ${w.rig.name} has no git repository to merge into (${path ?? 'none'}); re-add it with --repo PATH`,
    );
  if ((w.uncommitted ?? 0) > 0)
    throw refused(
      'uncommitted_work',
      `${w.uncommitted} uncommitted file(s) in the worktree: commit them (git add -A && git commit) or remove them, then run gt done again`,
    );
  const head = await repos.branchHead(path, w.branch);
  if (!head)
    throw refused(
      'branch_missing',
      `branch ${w.branch} is not in ${w.rig.name}'s repository: commit on it (and push it when the repository has a remote)`,
    );
  if (w.sha !== undefined && (!isSha(w.sha) || head !== w.sha))
    throw refused(
      'branch_moved',
      `branch ${w.branch} is at ${head.slice(0, 12)}, not at your ${w.sha.slice(0, 12)}: push your last commit, then run gt done again`,
    );
  const target = w.target ?? w.rig.merge_policy.target ?? (await repos.defaultBranch(path));
  if (w.target && !(await repos.branchHead(path, w.target)))
    throw refused(
      'target_missing',
      `the branch it lands on, ${w.target}, is not in ${w.rig.name}'s repository: create it (gt mq integration create EPIC) first`,
    );
  if ((await repos.commitsBeyond(path, target, head)) === 0)
    throw refused(
      'nothing_to_merge',
      `branch ${w.branch} has no commits beyond ${target}: commit your work, or finish with gt done --status deferred`,
    );
  return { head, target };
}

/** Queues a branch in its rig's merge queue, bound to the commit it is at now (after checkWork). */
export async function submitWork(ctx: CommandContext, w: Work): Promise<MergeSubmission> {
  const { head, target } = await checkWork(ctx, w);
  return ctx.services.ledger.submitMergeRequest(
    {
      id: `${w.rig.prefix}-mr-${randomBytes(5).readUIntBE(0, 5).toString(36)}`,
      rig: w.rig.name,
      bead_id: w.bead?.id ?? null,
      polecat: w.polecat,
      branch: w.branch,
      sha: head,
      target,
      priority: w.bead?.priority ?? 2,
    },
    ctx.write(),
  );
}
