import type { ChatPrincipal } from '../../domain/policy.ts';
import { gateClickCommand, parseGateClick } from '../cards/gate-model.ts';
import { EPHEMERAL } from './discord-rest.ts';
import { inertText } from './inert.ts';
import type { Interaction, InteractionDeps, Respond } from './interaction-handler.ts';

const MESSAGE = 4;
const DEFERRED_UPDATE = 6;

/** A custom id of a human gate card's button (gate-message.ts). */
export const isGateClick = (customId: string | undefined): boolean =>
  customId?.startsWith('gate:act:') ?? false;

/**
 * Approve on a human gate's card: `gt gate approve` run as the clicking member through the
 * command layer (policy, compare-and-swap on the gate's version, audit). A refusal is explained
 * ephemerally; success shows on the card, edited from the ledger's event.
 */
export async function gateClick(
  d: InteractionDeps,
  i: Interaction,
  principal: ChatPrincipal,
  respond: Respond,
): Promise<void> {
  const click = parseGateClick((i.data?.custom_id ?? '').slice('gate:act:'.length));
  if (!click) return respond({ type: MESSAGE, data: { flags: EPHEMERAL, content: 'unknown button' } });
  await respond({ type: DEFERRED_UPDATE });
  await d.work.run(async () => {
    const { verb, args } = gateClickCommand(click);
    const answer = await d.commands.run(verb, args, principal);
    if (!answer.reply?.ok)
      await d.rest.followUp(i.token, { flags: EPHEMERAL, content: inertText(answer.text).slice(0, 2000) });
  });
}
