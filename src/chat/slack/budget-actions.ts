import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { budgetClickCommand, budgetRefusalRedraws, parseBudgetClick } from '../cards/budget-model.ts';
import type { ChatCommands } from '../chat-commands.ts';
import type { WorkQueue } from '../work-queue.ts';
import { BUDGET_ACTION } from './budget-card.ts';
import type { SlackDirectory } from './directory.ts';
import { commandAnswer } from './format.ts';
import { isFirstDelivery, REPLAYED, type Remember } from './request-guard.ts';

export interface BudgetActionDeps {
  commands: ChatCommands;
  directory: SlackDirectory;
  remember: Remember;
  work: WorkQueue;
  /** Redraws a convoy's budget card from the ledger (a click refused because the card was out of date). */
  redraw: (convoy: string) => void;
}

/**
 * Clicks on a budget card (budget-card.ts): Extend and Stop (confirmed by Slack's dialog first)
 * are `gt convoy budget --extend|--stop` at the convoy version the card showed, run as the
 * clicking user (identity from the verified request), so the policy (`budget:extend` in the
 * convoy's rigs), the compare-and-swap and the audit apply. A refusal gets an ephemeral
 * explanation, and a card found out of date is redrawn; success needs no answer, because the card
 * is edited from the ledger's event.
 */
export function registerBudgetActions(app: App, d: BudgetActionDeps): void {
  app.action<BlockAction<ButtonAction>>(BUDGET_ACTION, async ({ ack, body, action, respond, context }) => {
    await ack();
    const click = parseBudgetClick(action.value ?? '');
    await d.work.run(async () => {
      const say = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
      if (!click) return void (await say('unknown button'));
      if (!(await isFirstDelivery(context, d.remember))) return void (await say(REPLAYED));
      const principal = await d.directory.principal(body.user.id, body.user.username);
      const { verb, args } = budgetClickCommand(click);
      const answer = await d.commands.run(verb, args, principal);
      if (budgetRefusalRedraws(answer.reply)) d.redraw(click.convoy);
      if (!answer.reply?.ok) await say(commandAnswer(answer.text));
    });
  });
}
