import { homeRigOf } from '../../domain/agent-address.ts';
import type { Bead } from '../../domain/bead.ts';
import { usageError } from '../../domain/errors.ts';
import { parseRigName } from '../../domain/rig.ts';
import {
  parseDescription,
  parseLabels,
  parsePriority,
  parseTitle,
  parseWorkType,
} from '../../domain/validation.ts';
import { flag, list, optString } from '../args.ts';
import { resolveBeadRef } from '../bead-ref.ts';
import { defineCommand } from '../command.ts';
import { createGraph, type GraphCreated, graphText } from './create-graph.ts';

const USAGE =
  'bd create <title> [--rig R] [-t task|bug|feature|chore|epic|decision] [-p 0-4] [-d TEXT] [--acceptance TEXT] [--parent ID] [-l a,b] | bd create --graph <file|-> [--rig R] [--dry-run]';

/**
 * `bd create <title>`: one bead. `bd create --graph`: a whole plan at once (create-graph.ts) —
 * the CLI reads the file and sends its text; over the API `graph` is the JSON text itself.
 */
export const bdCreate = defineCommand<Bead | GraphCreated>({
  path: ['bd', 'create'],
  summary: 'Create a bead (work item), or a whole plan of them with --graph',
  usage: USAGE,
  syntax: {
    // Required unless --graph: checked in run, since the syntax cannot say "one or the other".
    positionals: [{ name: 'title' }],
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
      graph: {
        type: 'string',
        description:
          'a plan as JSON {nodes, edges}: a file, or - for stdin (the CLI reads it; the API takes the JSON text)',
      },
      'dry-run': { type: 'boolean', description: 'with --graph: check everything, write nothing' },
    },
  },
  mutates: true,
  async run(args, ctx) {
    if (args.graph !== undefined) return createGraph(args, ctx);
    if (flag(args, 'dry-run'))
      throw usageError(
        'dry_run_without_graph',
        'use --dry-run only with --graph (bd create --graph FILE --dry-run)',
      );
    const title = optString(args, 'title');
    if (title === undefined) throw usageError('missing_argument', `missing <title>. Usage: ${USAGE}`);
    const parent = optString(args, 'parent');
    // An agent's new work goes to its own rig unless it says otherwise (a child goes with its parent).
    const rig =
      optString(args, 'rig') ?? (parent === undefined ? (homeRigOf(ctx.actor) ?? undefined) : undefined);
    const type = optString(args, 'type');
    const priority = optString(args, 'priority');
    const parentId = parent === undefined ? undefined : await resolveBeadRef(ctx.services.ledger, parent);
    const bead = await ctx.services.ledger.createBead(
      {
        title: parseTitle(title),
        description: parseDescription(optString(args, 'description')),
        acceptance_criteria: parseDescription(optString(args, 'acceptance')),
        labels: parseLabels(list(args, 'labels')),
        ...(rig !== undefined && { rig: parseRigName(rig) }),
        ...(parentId !== undefined && { parent: parentId }),
        ...(type !== undefined && { issue_type: parseWorkType(type) }),
        ...(priority !== undefined && { priority: parsePriority(priority) }),
      },
      ctx.write(),
    );
    return { data: bead };
  },
  text: (data) => ('ids' in data ? graphText(data) : data.id),
});
