import { notFound, usageError } from '../../../domain/errors.ts';
import type { MergeRequest } from '../../../domain/merge-request.ts';
import { parseRigName } from '../../../domain/rig.ts';
import { parseId } from '../../../domain/validation.ts';
import { optString, reqString } from '../../args.ts';
import { defineCommand } from '../../command.ts';
import { submitWork } from './submission.ts';

/** `gt mq submit`: a person queues a branch by hand (with the bead it finishes, or none). */
export const gtMqSubmit = defineCommand<MergeRequest & { reused: boolean; superseded: string[] }>({
  path: ['gt', 'mq', 'submit'],
  summary: 'Queue a branch for its rig’s merge queue, bound to the commit it is at now',
  usage: 'gt mq submit <branch> [--bead ID] [--rig R]',
  syntax: {
    positionals: [{ name: 'branch', required: true }],
    flags: {
      bead: { type: 'string', description: 'the bead this branch finishes (its rig is the default)' },
      rig: { type: 'string', description: 'the rig whose queue (default: the bead’s)' },
    },
  },
  mutates: true,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const rawBead = optString(args, 'bead');
    const bead = rawBead === undefined ? null : await ledger.getBead(parseId(rawBead));
    if (rawBead !== undefined && !bead) throw notFound('bead', rawBead);
    const rigName = optString(args, 'rig') ?? bead?.rig ?? undefined;
    if (rigName === undefined)
      throw usageError('missing_rig', 'say which rig’s queue: --rig R (or --bead ID of a rig’s bead)');
    const rig = await ledger.getRig(parseRigName(rigName));
    if (!rig) throw notFound('rig', rigName);
    const submitted = await submitWork(ctx, {
      rig,
      bead,
      polecat: null,
      branch: reqString(args, 'branch'),
      sha: undefined,
    });
    return { data: { ...submitted.mr, reused: submitted.reused, superseded: submitted.superseded } };
  },
  text: (mr) =>
    `${mr.reused ? 'already queued' : 'queued'} ${mr.id}: ${mr.branch}@${mr.sha.slice(0, 12)} → ${mr.target}${mr.superseded.length ? ` (supersedes ${mr.superseded.join(', ')})` : ''}`,
});
