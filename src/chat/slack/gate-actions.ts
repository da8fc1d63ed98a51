import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { gateClickCommand, parseGateClick } from '../cards/gate-model.ts';
import type { ChatCommands } from '../chat-commands.ts';
import type { WorkQueue } from '../work-queue.ts';
import type { SlackDirectory } from './directory.ts';
import { commandAnswer } from './format.ts';
import { GATE_ACTION } from './gate-card.ts';
import { isFirstDelivery, REPLAYED, type Remember } from './request-guard.ts';

/**
 * Approve on a human gate's card: `gt gate approve <id> --version N -m "from chat"`, run as the
 * clicking user (identity from the verified request), so the policy (`gate:approve` on the gate's
 * rig), the compare-and-swap on the version the button carries, and the audit all apply as on the
 * command line. A refusal gets an ephemeral explanation and changes nothing; success needs no
 * answer, because the card itself is edited from the ledger's event.
 */
export function registerGateActions(
  app: App,
  commands: ChatCommands,
  directory: SlackDirectory,
  remember: Remember,
  work: WorkQueue,
): void {
  app.action<BlockAction<ButtonAction>>(GATE_ACTION, async ({ ack, body, action, respond, context }) => {
    await ack();
    const click = parseGateClick(action.value ?? '');
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
      const { verb, args } = gateClickCommand(click);
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
