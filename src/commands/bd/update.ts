import type { Bead, BeadPatch } from '../../domain/bead.ts';
import { usageError } from '../../domain/errors.ts';
import {
  parseAssignee,
  parseDescription,
  parseLabels,
  parsePriority,
  parseStatus,
  parseTitle,
} from '../../domain/validation.ts';
import { list, optString, reqString } from '../args.ts';
import { resolveBeadRef } from '../bead-ref.ts';
import { defineCommand } from '../command.ts';
import { beadLines } from '../render.ts';
import {
  refuseApprovalChange,
  refuseBudgetChange,
  refuseConvoy,
  refuseEscalationDecision,
} from './lifecycle-guard.ts';

export const bdUpdate = defineCommand<Bead[]>({
  path: ['bd', 'update'],
  summary: 'Change fields of a bead',
  usage:
    'bd update <id> [--status S] [--assignee A] [-p N] [--title T] [-d TEXT] [--add-label L] [--remove-label L]',
  syntax: {
    positionals: [{ name: 'id', required: true }],
    flags: {
      status: {
        type: 'string',
        short: 's',
        description: 'new status (closing still obeys the close guards)',
      },
      assignee: { type: 'string', short: 'a', description: 'new assignee; "" clears it' },
      priority: { type: 'string', short: 'p', description: '0-4' },
      title: { type: 'string', description: 'new title' },
      description: { type: 'string', short: 'd', description: 'new description' },
      acceptance: { type: 'string', description: 'new acceptance criteria' },
      'add-label': { type: 'string', list: true, description: 'labels to add' },
      'remove-label': { type: 'string', list: true, description: 'labels to remove' },
    },
  },
  mutates: true,
  async run(args, ctx) {
    const patch = toPatch(args);
    if (Object.keys(patch).length === 0) {
      throw usageError(
        'nothing_to_update',
        'nothing to change; give at least one of --status, --assignee, -p, --title, -d, --add-label, --remove-label',
      );
    }
    const id = await resolveBeadRef(ctx.services.ledger, reqString(args, 'id'));
    if (patch.status !== undefined) await refuseConvoy(ctx, id, 'update --status', `gt convoy close ${id}`);
    await refuseApprovalChange(ctx, id, 'update');
    await refuseBudgetChange(
      ctx,
      id,
      {
        labels: [...(patch.add_labels ?? []), ...(patch.remove_labels ?? [])],
        description: patch.description,
      },
      'update',
    );
    const decides = ['status', 'assignee', 'add_labels', 'remove_labels'].some((f) => f in patch);
    if (decides)
      await refuseEscalationDecision(ctx, id, 'update --status/--assignee/--add-label/--remove-label');
    const bead = await ctx.services.ledger.updateBead(id, patch, ctx.write());
    return { data: [bead] };
  },
  text: (beads) => beadLines(beads, ''),
});

function toPatch(args: Parameters<typeof bdUpdate.run>[0]): BeadPatch {
  const patch: BeadPatch = {};
  const status = optString(args, 'status');
  const assignee = optString(args, 'assignee');
  const priority = optString(args, 'priority');
  const title = optString(args, 'title');
  const description = optString(args, 'description');
  const acceptance = optString(args, 'acceptance');
  if (status !== undefined) patch.status = parseStatus(status);
  if (assignee !== undefined) patch.assignee = parseAssignee(assignee);
  if (priority !== undefined) patch.priority = parsePriority(priority);
  if (title !== undefined) patch.title = parseTitle(title);
  if (description !== undefined) patch.description = parseDescription(description);
  if (acceptance !== undefined) patch.acceptance_criteria = parseDescription(acceptance);
  const add = parseLabels(list(args, 'add-label'));
  const remove = parseLabels(list(args, 'remove-label'));
  if (add.length > 0) patch.add_labels = add;
  if (remove.length > 0) patch.remove_labels = remove;
  return patch;
}
