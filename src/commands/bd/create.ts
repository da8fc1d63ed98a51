import { homeRigOf } from '../../domain/agent-address.ts';
import type { Bead } from '../../domain/bead.ts';
import { parseRigName } from '../../domain/rig.ts';
import {
  parseDescription,
  parseId,
  parseLabels,
  parsePriority,
  parseTitle,
  parseWorkType,
} from '../../domain/validation.ts';
import { list, optString, reqString } from '../args.ts';
import { defineCommand } from '../command.ts';

export const bdCreate = defineCommand<Bead>({
  path: ['bd', 'create'],
  summary: 'Create a bead (work item)',
  usage:
    'bd create <title> [--rig R] [-t task|bug|feature|chore|epic|decision] [-p 0-4] [-d TEXT] [--acceptance TEXT] [--parent ID] [-l a,b]',
  syntax: {
    positionals: [{ name: 'title', required: true }],
    flags: {
      rig: {
        type: 'string',
        description: "rig whose prefix the id gets (without: an agent's own rig, else town-level hq-)",
      },
      type: { type: 'string', short: 't', description: 'bead type (default task)' },
      priority: { type: 'string', short: 'p', description: '0 (highest) to 4 (default 2)' },
      description: { type: 'string', short: 'd', description: 'longer text' },
      acceptance: { type: 'string', description: 'acceptance criteria: what done means' },
      parent: { type: 'string', description: 'parent bead: the new one becomes <parent>.N' },
      labels: { type: 'string', short: 'l', list: true, description: 'labels, comma-separated' },
    },
  },
  mutates: true,
  async run(args, ctx) {
    const parent = optString(args, 'parent');
    // An agent's new work goes to its own rig unless it says otherwise (a child goes with its parent).
    const rig =
      optString(args, 'rig') ?? (parent === undefined ? (homeRigOf(ctx.actor) ?? undefined) : undefined);
    const type = optString(args, 'type');
    const priority = optString(args, 'priority');
    const bead = await ctx.services.ledger.createBead(
      {
        title: parseTitle(reqString(args, 'title')),
        description: parseDescription(optString(args, 'description')),
        acceptance_criteria: parseDescription(optString(args, 'acceptance')),
        labels: parseLabels(list(args, 'labels')),
        ...(rig !== undefined && { rig: parseRigName(rig) }),
        ...(parent !== undefined && { parent: parseId(parent) }),
        ...(type !== undefined && { issue_type: parseWorkType(type) }),
        ...(priority !== undefined && { priority: parsePriority(priority) }),
      },
      ctx.write(),
    );
    return { data: bead };
  },
  text: (bead) => bead.id,
});
