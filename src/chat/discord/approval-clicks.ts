import type { ChatPrincipal } from '../../domain/policy.ts';
import { approvalClickCommand, parseApprovalClick } from '../cards/approval-model.ts';
import { EPHEMERAL } from './discord-rest.ts';
import { inertText } from './inert.ts';
import type { Interaction, InteractionDeps, Respond } from './interaction-handler.ts';

const MESSAGE = 4;
const DEFERRED_UPDATE = 6;

/** A custom id of a permission request card's button (approval-message.ts). */
export const isApprovalClick = (customId: string | undefined): boolean =>
  customId?.startsWith('appr:act:') ?? false;

/**
 * Allow once, Always allow for rig R or Deny on a permission request's card: `gt approval
 * allow|deny` run as the clicking member through the command layer (policy, compare-and-swap on
 * the request's version, audit). A refusal — someone was faster, it timed out, no right — is
 * explained ephemerally; success shows on the card, edited from the ledger's event.
 */
export async function approvalClick(
  d: InteractionDeps,
  i: Interaction,
  principal: ChatPrincipal,
  respond: Respond,
): Promise<void> {
  const click = parseApprovalClick((i.data?.custom_id ?? '').slice('appr:act:'.length));
  if (!click) return respond({ type: MESSAGE, data: { flags: EPHEMERAL, content: 'unknown button' } });
  await respond({ type: DEFERRED_UPDATE });
  await d.work.run(async () => {
    const { verb, args } = approvalClickCommand(click);
    const answer = await d.commands.run(verb, args, principal);
    if (!answer.reply?.ok)
      await d.rest.followUp(i.token, { flags: EPHEMERAL, content: inertText(answer.text).slice(0, 2000) });
  });
}
