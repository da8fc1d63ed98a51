import { refused } from '../../domain/errors.ts';
import type { CommandContext } from '../command.ts';

/**
 * A convoy's lifecycle (landing, reopening, notifications) belongs to `gt convoy`; the bead
 * verbs must not bypass it. `instead` names the command to use.
 */
export async function refuseConvoy(
  ctx: CommandContext,
  id: string,
  verb: string,
  instead: string,
): Promise<void> {
  if ((await ctx.services.ledger.getBead(id))?.issue_type === 'convoy') {
    throw refused(
      'convoy_lifecycle',
      `${id} is a convoy; bd ${verb} does not apply to convoys — use \`${instead}\``,
    );
  }
}
