import type { Bead } from '../../../domain/bead.ts';
import { usdField } from '../../../domain/budget.ts';
import { isSlingableType, OWNED_LABEL, parseMerge } from '../../../domain/convoy.ts';
import { writeConvoyFields } from '../../../domain/convoy-fields.ts';
import { usageError } from '../../../domain/errors.ts';
import { toUsd } from '../../../domain/usage.ts';
import { formatUsd } from '../../../domain/usage-costs.ts';
import { parseAssignee, parseId, parseTitle } from '../../../domain/validation.ts';
import type { Ledger, WriteContext } from '../../../ledger/port.ts';
import { flag, list, optString } from '../../args.ts';
import { type CommandContext, defineCommand } from '../../command.ts';
import { convoyBudget } from './budget-input.ts';
import { existingBeads, loadConvoy, trackedBeads } from './tracked.ts';

export interface CreatedConvoy {
  id: string;
  title: string;
  status: string;
  tracked: string[];
  /** `gt convoy create`: its budget in dollars (`--budget`, else GT_DEFAULT_BUDGET_USD); null: none. */
  budget_usd?: number | null;
}

async function track(
  ledger: Ledger,
  convoyId: string,
  beads: readonly Bead[],
  ctx: WriteContext,
): Promise<void> {
  for (const bead of beads) await ledger.addDependency(convoyId, bead.id, 'tracks', ctx);
}

/** The slingable leaves under an epic, breadth-first (convoy.md §3.17): sub-epics are walked, not tracked. */
async function epicLeaves(ledger: Ledger, epicId: string): Promise<{ epic: Bead; leaves: Bead[] }> {
  const epic = await ledger.getBead(epicId);
  if (epic?.issue_type !== 'epic') {
    throw usageError(
      'not_an_epic',
      `${epicId} is not an epic${epic ? ` (type: ${epic.issue_type})` : ''}; --from-epic needs an epic`,
    );
  }
  const leaves: Bead[] = [];
  const queue = [epicId];
  const seen = new Set(queue);
  while (queue.length > 0) {
    for (const child of await ledger.listBeads({ parent: queue.shift() as string, all: true })) {
      if (seen.has(child.id)) continue;
      seen.add(child.id);
      if (isSlingableType(child.issue_type)) leaves.push(child);
      else queue.push(child.id);
    }
  }
  if (leaves.length === 0)
    throw usageError('empty_epic', `epic ${epicId} has no slingable children (task, bug, feature, chore)`);
  return { epic, leaves };
}

export const gtConvoyCreate = defineCommand<CreatedConvoy>({
  path: ['gt', 'convoy', 'create'],
  summary: 'Create a convoy tracking beads of any rig (or none yet: add work as it appears)',
  usage:
    'gt convoy create <name> [<id>…] [--owned] [--notify ADDR] [--from-epic ID] [--merge direct|mr|local] [--budget USD]',
  syntax: {
    positionals: [{ name: 'words', variadic: true }],
    flags: {
      owned: { type: 'boolean', description: 'caller-managed: lands with gt convoy land, not by itself' },
      notify: { type: 'string', description: 'also tell this address when it lands' },
      'from-epic': { type: 'string', description: "track the epic's slingable descendants" },
      merge: { type: 'string', description: 'direct, mr (default) or local' },
      budget: { type: 'string', description: 'dollars its agents may spend before dispatch stops' },
    },
  },
  mutates: true,
  async run(args, ctx: CommandContext) {
    const ledger = ctx.services.ledger;
    const [name, ...ids] = list(args, 'words');
    const epicId = optString(args, 'from-epic');
    const merge = parseMerge(optString(args, 'merge'));
    const notify = optString(args, 'notify');
    if (notify !== undefined) parseAssignee(notify);
    let beads: Bead[];
    let title: string;
    if (epicId !== undefined) {
      const { epic, leaves } = await epicLeaves(ledger, parseId(epicId));
      if (ids.length > 0) throw usageError('ids_with_epic', 'give either --from-epic or bead ids, not both');
      beads = leaves;
      title = parseTitle(name ?? epic.title);
    } else {
      if (name === undefined)
        throw usageError('missing_argument', 'missing <name>. Usage: gt convoy create <name> [<id>…]');
      if (name.startsWith('-'))
        throw usageError(
          'flag_like_name',
          `refusing to create a convoy named ${JSON.stringify(name)}: it looks like a flag`,
        );
      title = parseTitle(name);
      beads = await existingBeads(ledger, ids);
    }
    const budget = convoyBudget(args, ctx, beads);
    const description = writeConvoyFields(`Convoy tracking ${beads.length} issue(s)`, {
      owner: ctx.actor.id,
      ...(notify !== undefined && { notify }),
      ...(merge !== undefined && { merge }),
      ...(budget !== null && { budget: usdField(budget) }),
    });
    const write = ctx.write();
    const convoy = await ledger.createBead(
      { title, description, issue_type: 'convoy', labels: flag(args, 'owned') ? [OWNED_LABEL] : [] },
      write,
    );
    await track(ledger, convoy.id, beads, write);
    return {
      data: {
        id: convoy.id,
        title: convoy.title,
        status: convoy.status,
        tracked: beads.map((b) => b.id),
        budget_usd: budget === null ? null : toUsd(budget),
      },
    };
  },
  text: (c) =>
    `created convoy ${c.id}: ${c.title} (${c.tracked.length} tracked${c.budget_usd ? `, budget ${formatUsd(c.budget_usd)}` : ''})`,
});

export const gtConvoyAdd = defineCommand<CreatedConvoy>({
  path: ['gt', 'convoy', 'add'],
  summary: 'Track more beads in a convoy (reopens a closed convoy)',
  usage: 'gt convoy add <convoy> <id>…',
  syntax: {
    positionals: [
      { name: 'convoy', required: true },
      { name: 'ids', required: true, variadic: true },
    ],
    flags: {},
  },
  mutates: true,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const convoy = await loadConvoy(ledger, optString(args, 'convoy') as string);
    const beads = await existingBeads(ledger, list(args, 'ids'));
    const write = ctx.write();
    // Reopen first: an add that lands on a closed convoy must not leave new work untracked-by-an-open-convoy.
    const current =
      convoy.status === 'closed' ? await ledger.updateBead(convoy.id, { status: 'open' }, write) : convoy;
    await track(ledger, convoy.id, beads, write);
    const tracked = await trackedBeads(ledger, convoy.id);
    return {
      data: {
        id: current.id,
        title: current.title,
        status: current.status,
        tracked: tracked.map((b) => b.id),
      },
    };
  },
  text: (c) => `convoy ${c.id} (${c.status}) now tracks ${c.tracked.length} bead(s)`,
});
