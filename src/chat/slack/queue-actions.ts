import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { clickCommand, parseClick } from '../cards/queue-buttons.ts';
import type { ChatCommands } from '../chat-commands.ts';
import type { WorkQueue } from '../work-queue.ts';
import type { SlackDirectory } from './directory.ts';
import { commandAnswer } from './format.ts';
import { QUEUE_ACTION } from './queue-card.ts';
import { isFirstDelivery, REPLAYED, type Remember } from './request-guard.ts';

/**
 * Clicks on a merge-queue card: each one the `gt mq …` verb it names, run as the clicking user
 * (identity from the verified request), so the policy, the compare-and-swap on the MR's version
 * the button carries, and the audit all apply as on the command line. A refusal (not allowed,
 * changed meanwhile, already frozen) gets an ephemeral explanation and changes nothing; success
 * needs no answer, because the card itself is edited from the ledger's event.
 */
export function registerQueueActions(
  app: App,
  commands: ChatCommands,
  directory: SlackDirectory,
  remember: Remember,
  work: WorkQueue,
): void {
  app.action<BlockAction<ButtonAction>>(QUEUE_ACTION, async ({ ack, body, action, respond, context }) => {
    await ack();
    const click = parseClick(action.value ?? '');
    await work.run(async () => {
      if (!click) {
        await respond({ response_type: 'ephemeral', replace_original: false, text: 'unknown button' });
        return;
      }
      if (!(await isFirstDelivery(context, remember))) {
        await respond({ response_type: 'ephemeral', replace_original: false, text: REPLAYED });
        return;
      }
      const principal = await directory.principal(body.user.id, body.user.username);
      const { verb, args } = clickCommand(click);
      const answer = await commands.run(verb, args, principal);
      if (!answer.reply?.ok)
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          text: commandAnswer(answer.text),
        });
    });
  });
}
