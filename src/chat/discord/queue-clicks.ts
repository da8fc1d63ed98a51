import type { ChatPrincipal } from '../../domain/policy.ts';
import { clickCommand, describeClick, parseClick } from '../cards/queue-buttons.ts';
import { EPHEMERAL } from './discord-rest.ts';
import { inertText } from './inert.ts';
import type { Interaction, InteractionDeps, Respond } from './interaction-handler.ts';
import { queueCustomId } from './queue-message.ts';

const MESSAGE = 4;
const DEFERRED_UPDATE = 6;

/** A custom id of a merge-queue card's button (queue-message.ts). */
export const isQueueClick = (customId: string | undefined): boolean => customId?.startsWith('mq:') ?? false;

/**
 * A click on a merge-queue card: the `gt mq …` verb it names, run as the clicking member through
 * the command layer (policy, compare-and-swap on the MR's version, audit). Destructive ones first
 * answer with an ephemeral "are you sure?" whose button makes the click (Discord buttons have no
 * confirm dialog). A refusal is explained ephemerally; success shows on the card, edited from the
 * ledger's event.
 */
export async function queueClick(
  d: InteractionDeps,
  i: Interaction,
  principal: ChatPrincipal,
  respond: Respond,
): Promise<void> {
  const [, step = '', ...value] = (i.data?.custom_id ?? '').split(':');
  const click = parseClick(value.join(':'));
  if (!click || !['act', 'ask', 'yes'].includes(step))
    return respond({ type: MESSAGE, data: { flags: EPHEMERAL, content: 'unknown button' } });
  if (step === 'ask')
    return respond({
      type: MESSAGE,
      data: {
        flags: EPHEMERAL,
        content: inertText(`This will ${describeClick(click)}. Are you sure?`),
        components: [
          {
            type: 1,
            components: [{ type: 2, style: 4, label: 'Yes, do it', custom_id: queueCustomId('yes', click) }],
          },
        ],
      },
    });
  await respond({ type: DEFERRED_UPDATE });
  await d.work.run(async () => {
    const { verb, args } = clickCommand(click);
    const answer = await d.commands.run(verb, args, principal);
    if (!answer.reply?.ok)
      await d.rest.followUp(i.token, { flags: EPHEMERAL, content: inertText(answer.text).slice(0, 2000) });
  });
}
