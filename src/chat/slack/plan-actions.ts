import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { ChatPrincipal } from '../../domain/policy.ts';
import {
  encodePlanClick,
  type PlanClick,
  parsePlanClick,
  planClickCommand,
  refusalRedraws,
} from '../cards/plan-model.ts';
import type { ChatAnswer, ChatCommands } from '../chat-commands.ts';
import type { WorkQueue } from '../work-queue.ts';
import type { SlackDirectory } from './directory.ts';
import { commandAnswer } from './format.ts';
import { PLAN_ACTION } from './plan-card.ts';
import { isFirstDelivery, REPLAYED, type Remember } from './request-guard.ts';

const REVISE_VIEW = 'plan.revise';
/** Slack's cap on a plain-text input; the verb has its own limit and says so. */
const MAX_INPUT = 3000;

export interface PlanActionDeps {
  commands: ChatCommands;
  directory: SlackDirectory;
  remember: Remember;
  work: WorkQueue;
  /** Redraws a plan's card from the ledger (a click refused because the card was out of date). */
  redraw: (plan: string) => void;
}

/**
 * Clicks on a plan's card (plan-card.ts). Launch and Discard (confirmed by Slack's dialog first)
 * are `gt plan launch|discard` at the convoy version the card showed, run as the clicking user
 * (identity from the verified request), so the policy, the compare-and-swap and the audit apply.
 * Revise… opens a dialog; its text goes to the Mayor with `gt plan revise`, as the person who
 * wrote it. A refusal gets an ephemeral explanation, and a card found out of date is redrawn
 * from the ledger; success needs no answer, because the card is edited from the ledger's events.
 */
export function registerPlanActions(app: App, d: PlanActionDeps): void {
  app.action<BlockAction<ButtonAction>>(PLAN_ACTION, async ({ ack, body, action, respond, context }) => {
    await ack();
    const click = parsePlanClick(action.value ?? '');
    if (click?.action === 'revise') {
      // A trigger id expires within seconds: open the dialog before anything slow.
      await d.directory.client.views.open({
        trigger_id: body.trigger_id,
        view: reviseView(click, body.channel?.id ?? ''),
      });
      return;
    }
    await d.work.run(async () => {
      const say = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
      if (!click) return void (await say('unknown button'));
      if (!(await isFirstDelivery(context, d.remember))) return void (await say(REPLAYED));
      const principal = await d.directory.principal(body.user.id, body.user.username);
      const answer = await run(d, click, '', principal);
      if (!answer.reply?.ok) await say(commandAnswer(answer.text));
    });
  });

  app.view(REVISE_VIEW, async ({ ack, body, view, context }) => {
    const [value = '', channel = ''] = splitMetadata(view.private_metadata);
    const click = parsePlanClick(value);
    const text = textOf(view.state?.values);
    if (click?.action !== 'revise') return void (await ack());
    if (text.trim() === '') {
      await ack({
        response_action: 'errors',
        errors: { revision: 'say what the Mayor should change; nothing was sent' },
      });
      return;
    }
    await ack();
    await d.work.run(async () => {
      const tell = (t: string) =>
        channel
          ? d.directory.client.chat.postEphemeral({ channel, user: body.user.id, text: commandAnswer(t) })
          : null;
      if (!(await isFirstDelivery(context, d.remember))) return void (await tell(REPLAYED));
      const principal = await d.directory.principal(body.user.id, body.user.name);
      // Refused or accepted, the person is told: the card itself only shows the Mayor at work.
      await tell((await run(d, click, text, principal)).text);
    });
  });
}

async function run(d: PlanActionDeps, click: PlanClick, text: string, principal: ChatPrincipal) {
  const { verb, args } = planClickCommand(click, text);
  const answer: ChatAnswer = await d.commands.run(verb, args, principal);
  if (refusalRedraws(answer.reply)) d.redraw(click.plan);
  return answer;
}

/** `<click>|<channel>`: the click's value holds `:` but never `|`. */
const splitMetadata = (metadata: unknown): string[] =>
  typeof metadata === 'string' ? metadata.split('|') : [];

/** The dialog's text, whatever shape a (possibly forged) submission gives its state. */
function textOf(values: unknown): string {
  const input = (values as { revision?: { text?: { value?: unknown } } } | undefined)?.revision?.text?.value;
  return typeof input === 'string' ? input : '';
}

function reviseView(click: PlanClick, channel: string) {
  return {
    type: 'modal' as const,
    callback_id: REVISE_VIEW,
    private_metadata: `${encodePlanClick(click)}|${channel}`,
    title: { type: 'plain_text' as const, text: 'Revise the plan' },
    submit: { type: 'plain_text' as const, text: 'Send to the Mayor' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      {
        type: 'input' as const,
        block_id: 'revision',
        label: { type: 'plain_text' as const, text: `What should the Mayor change in ${click.plan}?` },
        element: {
          type: 'plain_text_input' as const,
          action_id: 'text',
          multiline: true,
          max_length: MAX_INPUT,
          placeholder: { type: 'plain_text' as const, text: 'e.g. also document the search box' },
        },
      },
    ],
  };
}
