import type { Bead } from '../../domain/bead.ts';
import { parseRigName } from '../../domain/rig.ts';
import { parseAssignee, parseLabel, parseStatus, parseWorkType } from '../../domain/validation.ts';
import type { BeadFilter } from '../../ledger/port.ts';
import { flag, optString } from '../args.ts';
import { resolveBeadRef } from '../bead-ref.ts';
import { defineCommand } from '../command.ts';
import { beadLines } from '../render.ts';

export const bdList = defineCommand<Bead[]>({
  path: ['bd', 'list'],
  summary: 'List beads (closed ones only with --all or --status closed)',
  usage: 'bd list [--status S] [--rig R] [-t T] [--assignee A] [--label L] [--parent ID] [--all]',
  syntax: {
    positionals: [],
    flags: {
      status: { type: 'string', short: 's', description: 'only this status' },
      rig: { type: 'string', description: 'only this rig' },
      type: { type: 'string', short: 't', description: 'only this type' },
      assignee: { type: 'string', short: 'a', description: 'only this assignee' },
      label: { type: 'string', short: 'l', description: 'only beads with this label' },
      parent: { type: 'string', description: 'only children of this bead' },
      all: { type: 'boolean', description: 'include closed and pinned beads' },
    },
  },
  mutates: false,
  async run(args, ctx) {
    const filter: BeadFilter = { all: flag(args, 'all') };
    const status = optString(args, 'status');
    const rig = optString(args, 'rig');
    const type = optString(args, 'type');
    const assignee = optString(args, 'assignee');
    const label = optString(args, 'label');
    const parent = optString(args, 'parent');
    if (status !== undefined) filter.status = [parseStatus(status)];
    if (rig !== undefined) filter.rig = parseRigName(rig);
    if (type !== undefined) filter.issue_type = type === 'convoy' ? 'convoy' : parseWorkType(type);
    if (assignee !== undefined) filter.assignee = parseAssignee(assignee) ?? '';
    if (label !== undefined) filter.label = parseLabel(label);
    if (parent !== undefined) filter.parent = await resolveBeadRef(ctx.services.ledger, parent);
    return { data: await ctx.services.ledger.listBeads(filter) };
  },
  text: (beads) => beadLines(beads, 'No beads found.'),
});
