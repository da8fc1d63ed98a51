import type { Bead } from '../../../domain/bead.ts';
import { CLOSE_REASONS, checkConvoyClose, checkLand, isStaged, landsNow } from '../../../domain/convoy.ts';
import { flag, optString } from '../../args.ts';
import { defineCommand } from '../../command.ts';
import { landConvoy } from './landing.ts';
import { loadConvoy, trackedBeads } from './tracked.ts';

export interface CheckResult {
  closed: string[];
  open: string[];
}

export const gtConvoyCheck = defineCommand<CheckResult>({
  path: ['gt', 'convoy', 'check'],
  summary: 'Land open convoys whose tracked beads are all closed (owned and empty convoys stay open)',
  usage: 'gt convoy check [<convoy>] [--dry-run]',
  syntax: {
    positionals: [{ name: 'convoy' }],
    flags: { 'dry-run': { type: 'boolean', description: 'report, change nothing' } },
  },
  mutates: true,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const id = optString(args, 'convoy');
    const convoys =
      id !== undefined
        ? [await loadConvoy(ledger, id)]
        : await ledger.listBeads({ issue_type: 'convoy', status: ['open'] });
    const result: CheckResult = { closed: [], open: [] };
    for (const convoy of convoys) {
      if (convoy.status === 'closed' || isStaged(convoy.status)) continue;
      if (!landsNow(convoy, await trackedBeads(ledger, convoy.id))) {
        result.open.push(convoy.id);
        continue;
      }
      if (!flag(args, 'dry-run') && !(await landConvoy(ledger, convoy, CLOSE_REASONS.completed, ctx.write())))
        continue;
      result.closed.push(convoy.id);
    }
    return { data: result };
  },
  text: (r) =>
    [
      r.closed.length ? `landed: ${r.closed.join(', ')}` : 'No convoys ready to land.',
      r.open.length ? `still open: ${r.open.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('\n'),
});

const closeSyntax = {
  positionals: [{ name: 'convoy', required: true }],
  flags: {
    reason: {
      type: 'string' as const,
      short: 'r',
      description: 'why (default: all tracked issues completed)',
    },
    force: { type: 'boolean' as const, short: 'f', description: 'close even with open tracked beads' },
  },
};

export const gtConvoyClose = defineCommand<Bead>({
  path: ['gt', 'convoy', 'close'],
  summary: 'Close a convoy (refused while tracked beads are open, unless --force)',
  usage: 'gt convoy close <convoy> [-r REASON] [--force]',
  syntax: closeSyntax,
  mutates: true,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const convoy = await loadConvoy(ledger, optString(args, 'convoy') as string);
    if (convoy.status === 'closed') return { data: convoy };
    const force = flag(args, 'force');
    checkConvoyClose(convoy, await trackedBeads(ledger, convoy.id), force);
    const reason = optString(args, 'reason') ?? (force ? CLOSE_REASONS.forced : CLOSE_REASONS.completed);
    return {
      data: (await landConvoy(ledger, convoy, reason, ctx.write())) ?? (await loadConvoy(ledger, convoy.id)),
    };
  },
  text: (c) => `convoy ${c.id} closed${c.close_reason ? `: ${c.close_reason}` : ''}`,
});

export const gtConvoyLand = defineCommand<Bead>({
  path: ['gt', 'convoy', 'land'],
  summary: 'Land an owned convoy',
  usage: 'gt convoy land <convoy> [--force]',
  syntax: { positionals: closeSyntax.positionals, flags: { force: closeSyntax.flags.force } },
  mutates: true,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const convoy = await loadConvoy(ledger, optString(args, 'convoy') as string);
    if (convoy.status === 'closed') return { data: convoy };
    checkLand(convoy, await trackedBeads(ledger, convoy.id), flag(args, 'force'));
    return {
      data:
        (await landConvoy(ledger, convoy, CLOSE_REASONS.landed, ctx.write())) ??
        (await loadConvoy(ledger, convoy.id)),
    };
  },
  text: (c) => `convoy ${c.id} landed`,
});
