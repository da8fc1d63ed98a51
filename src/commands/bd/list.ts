import type { Bead } from '../../domain/bead.ts';
import { notFound } from '../../domain/errors.ts';
import { parseRigName } from '../../domain/rig.ts';
import { parseAssignee, parseLabel, parseStatus, parseWorkType } from '../../domain/validation.ts';
import type { BeadFilter } from '../../ledger/port.ts';
import { flag, optInt, optString } from '../args.ts';
import { resolveBeadRef } from '../bead-ref.ts';
import { defineCommand } from '../command.ts';
import { beadLines } from '../render.ts';

/**
 * A town can hold more open beads than one NATS message carries (1 MiB by default): pages of
 * --limit N, each continuing --after the last id of the one before, list any number of them.
 */
const MAX_LIMIT = 10_000;

export const bdList = defineCommand<Bead[]>({
  path: ['bd', 'list'],
  summary: 'List beads (closed ones only with --all or --status closed)',
  usage:
    'bd list [--status S] [--rig R] [-t T] [--assignee A] [--label L] [--parent ID] [--all] [--limit N] [--after ID]',
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
      limit: {
        type: 'string',
        short: 'n',
        description: `at most N beads (1–${MAX_LIMIT}); page on with --after`,
      },
      after: {
        type: 'string',
        description: 'only beads after this one in the listing (the last id of the page before)',
      },
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
    const limit = optInt(args, 'limit', 1, MAX_LIMIT);
    if (limit !== undefined) filter.limit = limit;
    const after = optString(args, 'after');
    if (after !== undefined) {
      // A cursor, not an offset (see BeadFilter.after): resolved once, to its position in the order.
      const cursor = await ctx.services.ledger.getBead(await resolveBeadRef(ctx.services.ledger, after));
      if (!cursor) throw notFound('bead', after);
      filter.after = { id: cursor.id, priority: cursor.priority, created_at: cursor.created_at };
    }
    return { data: await ctx.services.ledger.listBeads(filter) };
  },
  text: (beads) => beadLines(beads, 'No beads found.'),
});
