import { isApproval } from '../../domain/approval.ts';
import { isBudgetLabel } from '../../domain/budget.ts';
import { parseConvoyFields } from '../../domain/convoy-fields.ts';
import { refused } from '../../domain/errors.ts';
import type { CommandContext } from '../command.ts';

/**
 * Beads whose lifecycle belongs to other verbs: the bead verbs must not bypass them.
 *  - A convoy's landing, reopening and notifications are `gt convoy`'s. `instead` names the
 *    command to use.
 *  - An escalation's decision (status, who acknowledged it, its labels) is `gt escalation`'s: a
 *    person's decision under the policy, shown on chat cards as "Approved by …". Editing those
 *    fields with `bd` would forge that record.
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

export async function refuseEscalationDecision(ctx: CommandContext, id: string, verb: string): Promise<void> {
  await refuseApprovalChange(ctx, id, verb);
  if ((await ctx.services.ledger.getBead(id))?.issue_type === 'escalation') {
    throw refused(
      'escalation_lifecycle',
      `${id} is an escalation; bd ${verb} does not decide escalations — use \`gt escalation ack|resolve ${id}\``,
    );
  }
}

/**
 * An agent's permission request (domain/approval.ts) is decided by `gt approval allow|deny`
 * alone: a person with `agent:approve` in its rig, by compare-and-swap, audited. A label, a close
 * or a new description by `bd` would forge the answer the waiting agent reads, or change what
 * the person deciding is shown.
 */
export async function refuseApprovalChange(ctx: CommandContext, id: string, verb: string): Promise<void> {
  const bead = await ctx.services.ledger.getBead(id);
  if (bead && isApproval(bead))
    throw refused(
      'approval_lifecycle',
      `${id} is an agent's permission request; bd ${verb} cannot change it — use \`gt approval allow|deny ${id}\``,
    );
}

/**
 * A convoy's budget (domain/budget.ts) is `gt convoy create|stage --budget` and `gt convoy
 * budget`'s: its `budget:` labels or `Budget:` field changed by `bd` would spend past it, or undo
 * a stop, without `budget:extend` and outside its compare-and-swap.
 */
export async function refuseBudgetChange(
  ctx: CommandContext,
  id: string,
  change: { labels?: readonly string[]; description?: string | undefined },
  verb: string,
): Promise<void> {
  const bead = await ctx.services.ledger.getBead(id);
  if (bead?.issue_type !== 'convoy') return;
  const field =
    change.description !== undefined &&
    parseConvoyFields(change.description).budget !== parseConvoyFields(bead.description).budget;
  if (field || (change.labels ?? []).some(isBudgetLabel))
    throw refused(
      'budget_lifecycle',
      `${id}'s budget cannot be changed with bd ${verb}; use gt convoy budget ${id} --extend USD | --stop`,
    );
}
