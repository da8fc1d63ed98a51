import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Args } from '../../commands/syntax.ts';
import type { ChatCommands } from '../chat-commands.ts';
import type { WorkQueue } from '../work-queue.ts';
import type { SlackDirectory } from './directory.ts';
import { commandAnswer } from './format.ts';
import { isFirstDelivery, REPLAYED, type Remember } from './request-guard.ts';

export interface ClickDeps {
  commands: ChatCommands;
  directory: SlackDirectory;
  remember: Remember;
  work: WorkQueue;
}

/**
 * A card's button click: the command its value names (null: a value we never drew), run as the
 * clicking user (identity from the verified request), so the policy, the compare-and-swap on
 * the version the button carries, and the audit all apply as on the command line. A refusal
 * gets an ephemeral explanation and changes nothing; success needs no answer, because the card
 * itself is edited from the ledger's event.
 */
export function registerCardClicks(
  app: App,
  actionId: string | RegExp,
  commandOf: (value: string) => { verb: string; args: Args } | null,
  d: ClickDeps,
): void {
  app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, respond, context }) => {
    await ack();
    const command = commandOf(action.value ?? '');
    await d.work.run(async () => {
      const say = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
      if (!command) return void (await say('unknown button'));
      if (!(await isFirstDelivery(context, d.remember))) return void (await say(REPLAYED));
      const principal = await d.directory.principal(body.user.id, body.user.username);
      const answer = await d.commands.run(command.verb, command.args, principal);
      if (!answer.reply?.ok) await say(commandAnswer(answer.text));
    });
  });
}
