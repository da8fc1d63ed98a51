import type { Bead } from '../../domain/bead.ts';
import { parseRigName } from '../../domain/rig.ts';
import type { BlockedBead } from '../../ledger/port.ts';
import { optInt, optString } from '../args.ts';
import { defineCommand } from '../command.ts';
import { beadLine, beadLines } from '../render.ts';

export const bdReady = defineCommand<Bead[]>({
  path: ['bd', 'ready'],
  summary: 'Work that can start now: open, unassigned, not blocked; by priority, oldest first',
  usage: 'bd ready [--rig R] [--limit N]',
  syntax: {
    positionals: [],
    flags: {
      rig: { type: 'string', description: 'only this rig' },
      limit: { type: 'string', short: 'n', description: 'at most N (default 100, 0 = all)' },
    },
  },
  mutates: false,
  async run(args, ctx) {
    const rig = optString(args, 'rig');
    const limit = optInt(args, 'limit', 0, 1_000_000);
    const filter = {
      ...(rig !== undefined && { rig: parseRigName(rig) }),
      ...(limit !== undefined && { limit }),
    };
    return { data: await ctx.services.ledger.listReady(filter) };
  },
  text: (beads) => beadLines(beads, 'No ready work.'),
});

export type BlockedItem = BlockedBead & { blocked_by_count: number };

export const bdBlocked = defineCommand<BlockedItem[]>({
  path: ['bd', 'blocked'],
  summary: 'Beads waiting on others, with what blocks them',
  usage: 'bd blocked [--rig R]',
  syntax: { positionals: [], flags: { rig: { type: 'string', description: 'only this rig' } } },
  mutates: false,
  async run(args, ctx) {
    const rig = optString(args, 'rig');
    const blocked = await ctx.services.ledger.listBlocked(
      rig !== undefined ? { rig: parseRigName(rig) } : {},
    );
    return { data: blocked.map((b) => ({ ...b, blocked_by_count: b.blocked_by.length })) };
  },
  text: (items) =>
    items.length === 0
      ? 'Nothing is blocked.'
      : items.map((b) => `${beadLine(b)}\n    blocked by ${b.blocked_by.join(', ')}`).join('\n'),
});
