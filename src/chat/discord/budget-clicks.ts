import type { ChatPrincipal } from '../../domain/policy.ts';
import {
  type BudgetClick,
  budgetClickCommand,
  budgetRefusalRedraws,
  parseBudgetClick,
} from '../cards/budget-model.ts';
import { type BudgetStep, budgetCustomId } from './budget-message.ts';
import { EPHEMERAL } from './discord-rest.ts';
import { inertText } from './inert.ts';
import type { Interaction, InteractionDeps, Respond } from './interaction-handler.ts';

const MESSAGE = 4;
const DEFERRED_UPDATE = 6;

/** Which action each step may carry; anything else is a value we never drew. */
const STEPS: Record<BudgetStep, BudgetClick['action']> = { act: 'extend', ask: 'stop', yes: 'stop' };

/** A custom id of a budget card's button (budget-message.ts). */
export const isBudgetClick = (customId: string | undefined): boolean =>
  customId?.startsWith('budget:') ?? false;

function parse(customId: string): { step: BudgetStep; click: BudgetClick } | null {
  const [, step = '', ...value] = customId.split(':');
  const click = parseBudgetClick(value.join(':'));
  if (!click || !Object.hasOwn(STEPS, step) || STEPS[step as BudgetStep] !== click.action) return null;
  return { step: step as BudgetStep, click };
}

/**
 * Clicks on a budget card: Extend runs `gt convoy budget --extend` as the clicking member; Stop
 * first asks (an ephemeral "are you sure?" whose button stops). Each carries the convoy version
 * the card showed: a refusal is explained ephemerally, and a card found out of date is redrawn
 * from the ledger; success shows on the card, edited from the ledger's event.
 */
export async function budgetClick(
  d: InteractionDeps,
  i: Interaction,
  principal: ChatPrincipal,
  respond: Respond,
): Promise<void> {
  const parsed = parse(i.data?.custom_id ?? '');
  if (!parsed) return respond({ type: MESSAGE, data: { flags: EPHEMERAL, content: 'unknown button' } });
  const { step, click } = parsed;
  if (step === 'ask')
    return respond({
      type: MESSAGE,
      data: {
        flags: EPHEMERAL,
        content: inertText(
          `This closes convoy ${click.convoy}: none of its beads are dispatched any more (running ones finish). Are you sure?`,
        ),
        components: [
          {
            type: 1,
            components: [
              { type: 2, style: 4, label: 'Yes, stop it', custom_id: budgetCustomId('yes', click) },
            ],
          },
        ],
      },
    });
  await respond({ type: DEFERRED_UPDATE });
  await d.work.run(async () => {
    const { verb, args } = budgetClickCommand(click);
    const answer = await d.commands.run(verb, args, principal);
    if (!answer.reply?.ok)
      await d.rest.followUp(i.token, { flags: EPHEMERAL, content: inertText(answer.text).slice(0, 2000) });
    if (budgetRefusalRedraws(answer.reply)) d.redrawBudget?.(click.convoy);
  });
}
