import { refused, usageError } from '../domain/errors.ts';
import { parseRigName } from '../domain/rig.ts';
import type { CommandContext } from './command.ts';

/**
 * The rig a plan's beads go to when the caller names none per bead: `raw` (`--rig`), which must
 * exist, else the town's only rig. With several rigs and none named the caller must choose:
 * guessing would put a whole plan in the wrong repository.
 */
export function chooseRig(rigs: readonly { name: string }[], raw: string | undefined): string {
  if (raw !== undefined) {
    const name = parseRigName(raw);
    if (!rigs.some((r) => r.name === name))
      throw refused(
        'rig_not_found',
        `no rig ${name}; see gt rig list (${rigs.map((r) => r.name).join(', ') || 'none yet'})`,
      );
    return name;
  }
  if (rigs.length === 1) return (rigs[0] as { name: string }).name;
  throw usageError(
    'missing_rig',
    `give the rig the plan is for: --rig ${rigs.map((r) => r.name).join('|') || 'R'}`,
  );
}

/** The rig a run's beads go to: `--rig`, else the town's only rig. */
export async function rigFor(ctx: CommandContext, raw: string | undefined): Promise<string> {
  return chooseRig(await ctx.services.ledger.listRigs(), raw);
}
