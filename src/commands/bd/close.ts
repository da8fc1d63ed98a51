import type { Bead } from '../../domain/bead.ts';
import { DomainError, usageError } from '../../domain/errors.ts';
import { flag, list, optString } from '../args.ts';
import { resolveBeadRef } from '../bead-ref.ts';
import type { CommandContext } from '../command.ts';
import { defineCommand } from '../command.ts';
import { beadLines } from '../render.ts';
import { refuseConvoy, refuseEscalationDecision } from './lifecycle-guard.ts';
import { firstError } from './show.ts';

/**
 * Multi-id transitions succeed per id: the ones that can change do, the others are reported
 * (stderr) and the command fails only when none changed (upstream's protocol).
 */
async function eachId(ctx: CommandContext, ids: string[], change: (id: string) => Promise<Bead>) {
  if (ids.length === 0) throw usageError('missing_argument', 'name the beads: give at least one <id>');
  const done: Bead[] = [];
  const errors: string[] = [];
  for (const raw of ids) {
    try {
      done.push(await change(await resolveBeadRef(ctx.services.ledger, raw)));
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      errors.push(err.message);
    }
  }
  if (done.length === 0) throw firstError(errors);
  return { data: done, errors };
}

export const bdClose = defineCommand<Bead[]>({
  path: ['bd', 'close'],
  summary: 'Close beads (refused while open blockers remain, unless --force)',
  usage: 'bd close <id>… [-r REASON] [--force]',
  syntax: {
    positionals: [{ name: 'ids', required: true, variadic: true }],
    flags: {
      reason: { type: 'string', short: 'r', description: 'why it is closed' },
      force: { type: 'boolean', short: 'f', description: 'close despite open blockers, children or pinning' },
    },
  },
  mutates: true,
  run: (args, ctx: CommandContext) =>
    eachId(ctx, list(args, 'ids'), async (id) => {
      await refuseConvoy(ctx, id, 'close', `gt convoy close ${id}`);
      await refuseEscalationDecision(ctx, id, 'close');
      const options = { reason: optString(args, 'reason') ?? '', force: flag(args, 'force') };
      return ctx.services.ledger.closeBead(id, options, ctx.write());
    }),
  text: (beads) => beads.map((b) => `closed ${b.id}`).join('\n'),
});

export const bdReopen = defineCommand<Bead[]>({
  path: ['bd', 'reopen'],
  summary: 'Reopen beads',
  usage: 'bd reopen <id>…',
  syntax: { positionals: [{ name: 'ids', required: true, variadic: true }], flags: {} },
  mutates: true,
  run: (args, ctx: CommandContext) =>
    eachId(ctx, list(args, 'ids'), async (id) => {
      await refuseConvoy(ctx, id, 'reopen', `gt convoy add ${id} <id>…`);
      await refuseEscalationDecision(ctx, id, 'reopen');
      return ctx.services.ledger.reopenBead(id, ctx.write());
    }),
  text: (beads) => beadLines(beads, ''),
});
