import type { Bead } from '../../../domain/bead.ts';
import { notFound, refused, usageError } from '../../../domain/errors.ts';
import {
  defaultIntegrationBranch,
  integrationBranchOf,
  integrationLabel,
} from '../../../domain/integration-branch.ts';
import { type MergeRequest, OPEN_MR_STATUSES } from '../../../domain/merge-request.ts';
import type { Rig } from '../../../domain/rig.ts';
import { parseId } from '../../../domain/validation.ts';
import { optString, reqString } from '../../args.ts';
import { type CommandContext, defineCommand } from '../../command.ts';
import { submitWork } from './submission.ts';

/** An epic of a rig with a repository: what an integration branch belongs to. */
async function epicAndRig(ctx: CommandContext, raw: string): Promise<{ epic: Bead; rig: Rig }> {
  const ledger = ctx.services.ledger;
  const epic = await ledger.getBead(parseId(raw));
  if (!epic) throw notFound('bead', raw);
  if (epic.issue_type !== 'epic')
    throw refused(
      'not_an_epic',
      `${epic.id} is a ${epic.issue_type}; integration branches belong to epics: name an epic`,
    );
  const rig = epic.rig ? await ledger.getRig(epic.rig) : null;
  if (!rig?.repo)
    throw refused(
      'no_repository',
      `${epic.id} is not in a rig with a repository; create the epic with --rig R of such a rig`,
    );
  return { epic, rig };
}

type Created = { action: 'create'; epic: string; branch: string; created: boolean };
type Landing = { action: 'land'; mr: MergeRequest };

/**
 * `create`: a branch for the epic's work (`integration/<epic>`, made at the rig's target), named
 * on the epic. From then on its children's work lands there through the queue, and their
 * polecats start from it.
 */
async function create(ctx: CommandContext, raw: string, name: string | undefined): Promise<Created> {
  const { epic, rig } = await epicAndRig(ctx, raw);
  const existing = integrationBranchOf(epic);
  if (existing) return { action: 'create', epic: epic.id, branch: existing, created: false };
  const branch = name?.trim() || defaultIntegrationBranch(epic.id);
  const repos = ctx.services.repos;
  const repo = rig.repo as string;
  if (!repos) throw refused('no_repository', 'this service cannot reach repositories');
  const target = rig.merge_policy.target ?? (await repos.defaultBranch(repo));
  if (branch === target)
    throw refused('invalid_branch', `${branch} is the rig's target; name another branch`);
  const created = await repos.createBranch(repo, branch, target).catch((err: Error) => {
    throw refused('invalid_branch', `cannot create ${branch} in ${rig.name}'s repository: ${err.message}`);
  });
  await ctx.services.ledger.updateBead(epic.id, { add_labels: [integrationLabel(branch)] }, ctx.write());
  return { action: 'create', epic: epic.id, branch, created };
}

/**
 * `land`: the integration branch goes through the rig's queue to the target as one merge request
 * for the epic (gated like any other), once every child is closed and no merge request still
 * lands on the branch. The epic closes when it lands.
 */
async function land(ctx: CommandContext, raw: string): Promise<Landing> {
  const ledger = ctx.services.ledger;
  const { epic, rig } = await epicAndRig(ctx, raw);
  const branch = integrationBranchOf(epic);
  if (!branch)
    throw refused(
      'no_integration_branch',
      `${epic.id} has no integration branch; run gt mq integration create ${epic.id} first`,
    );
  const open = await ledger.listBeads({ parent: epic.id });
  if (open.length > 0)
    throw refused(
      'children_open',
      `${open.length} child bead(s) of ${epic.id} still open (${open.map((b) => b.id).join(', ')}): the integration branch lands when all are closed; see bd list --parent ${epic.id}`,
    );
  const landing = (await ledger.listMergeRequests({ rig: rig.name, status: OPEN_MR_STATUSES })).filter(
    (mr) => mr.target === branch,
  );
  if (landing.length > 0)
    throw refused(
      'merges_pending',
      `merge request(s) ${landing.map((m) => m.id).join(', ')} still land on ${branch}; wait for them: see gt mq list ${rig.name}`,
    );
  const { mr } = await submitWork(ctx, { rig, bead: epic, polecat: null, branch, sha: undefined });
  return { action: 'land', mr };
}

/**
 * `gt mq integration create|land <epic>` (Gas Town's words; one verb with the action as its first
 * word, so chat's three levels of subcommands can carry it too).
 */
export const gtMqIntegration = defineCommand<Created | Landing>({
  path: ['gt', 'mq', 'integration'],
  summary: 'An epic’s integration branch: create it (its children land there), then land it as one',
  usage: 'gt mq integration create <epic> [--branch NAME] | gt mq integration land <epic>',
  syntax: {
    positionals: [
      { name: 'action', required: true },
      { name: 'epic', required: true },
    ],
    flags: {
      branch: { type: 'string', description: 'create: the branch name (default integration/<epic>)' },
    },
  },
  mutates: true,
  async run(args, ctx) {
    const action = reqString(args, 'action');
    const epic = reqString(args, 'epic');
    if (action === 'create') return { data: await create(ctx, epic, optString(args, 'branch')) };
    if (action === 'land') return { data: await land(ctx, epic) };
    throw usageError('invalid_action', `gt mq integration ${JSON.stringify(action)}: write create or land`);
  },
  text: (d) =>
    d.action === 'create'
      ? `${d.epic}: integration branch ${d.branch}${d.created ? ' created' : ' (already there)'}; its children land on it`
      : `queued ${d.mr.id}: ${d.mr.branch} → ${d.mr.target}; ${d.mr.bead_id} closes when it lands`,
});
