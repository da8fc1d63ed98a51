import type { ChatPrincipal } from '../../domain/policy.ts';
import { type PlanClick, parsePlanClick, planClickCommand, refusalRedraws } from '../cards/plan-model.ts';
import { EPHEMERAL } from './discord-rest.ts';
import { inertText } from './inert.ts';
import type { Interaction, InteractionDeps, Respond } from './interaction-handler.ts';
import { type PlanStep, planCustomId } from './plan-message.ts';

const MESSAGE = 4;
const DEFERRED_UPDATE = 6;
const MODAL = 9;
const MODAL_SUBMIT = 5;
/** Discord's cap on a text input; the verb has its own (shorter) limit and says so. */
const MAX_INPUT = 4000;

/** Which action each step may carry; anything else is a value we never drew. */
const STEPS: Record<PlanStep, PlanClick['action']> = {
  act: 'launch',
  ask: 'discard',
  yes: 'discard',
  say: 'revise',
};

/** A custom id of a plan card's component or of its Revise dialog (plan-message.ts). */
export const isPlanClick = (customId: string | undefined): boolean => customId?.startsWith('plan:') ?? false;

function parse(i: Interaction): { step: PlanStep; click: PlanClick } | null {
  const [, step = '', ...value] = (i.data?.custom_id ?? '').split(':');
  const click = parsePlanClick(value.join(':'));
  if (!click || !Object.hasOwn(STEPS, step)) return null;
  const s = step as PlanStep;
  // Revise… is an `act` that opens the dialog; the dialog's submission is the only `say`.
  const fits = STEPS[s] === click.action || (s === 'act' && click.action === 'revise');
  const submitted = i.type === MODAL_SUBMIT;
  return fits && submitted === (s === 'say') ? { step: s, click } : null;
}

/**
 * Clicks on a plan's card: Launch runs `gt plan launch` as the clicking member; Discard first asks
 * (an ephemeral "are you sure?" whose button discards); Revise… opens a dialog whose text goes to
 * the Mayor with `gt plan revise`. Each carries the convoy version the card showed: a refusal is
 * explained ephemerally, and a card found out of date is redrawn from the ledger.
 */
export async function planClick(
  d: InteractionDeps,
  i: Interaction,
  principal: ChatPrincipal,
  respond: Respond,
): Promise<void> {
  const parsed = parse(i);
  if (!parsed) return respond({ type: MESSAGE, data: { flags: EPHEMERAL, content: 'unknown button' } });
  const { step, click } = parsed;
  if (step === 'act' && click.action === 'revise') return respond({ type: MODAL, data: reviseModal(click) });
  if (step === 'ask')
    return respond({
      type: MESSAGE,
      data: {
        flags: EPHEMERAL,
        content: inertText(
          `This closes convoy ${click.convoy} and the beads it tracks; plan ${click.plan} ends. Are you sure?`,
        ),
        components: [
          {
            type: 1,
            components: [{ type: 2, style: 4, label: 'Yes, discard', custom_id: planCustomId('yes', click) }],
          },
        ],
      },
    });
  const text = i.data?.components?.[0]?.components?.find((c) => c.custom_id === 'revision')?.value ?? '';
  await respond({ type: DEFERRED_UPDATE });
  await d.work.run(async () => {
    const { verb, args } = planClickCommand(click, text);
    const answer = await d.commands.run(verb, args, principal);
    // A refusal is explained; so is a revision (the card only says the Mayor is at work again).
    if (!answer.reply?.ok || step === 'say')
      await d.rest.followUp(i.token, { flags: EPHEMERAL, content: inertText(answer.text).slice(0, 2000) });
    if (refusalRedraws(answer.reply)) d.redrawPlan?.(click.plan);
  });
}

function reviseModal(c: PlanClick) {
  return {
    custom_id: planCustomId('say', c),
    title: 'Revise the plan',
    components: [
      {
        type: 1,
        components: [
          {
            type: 4,
            custom_id: 'revision',
            style: 2,
            label: 'What should the Mayor change?',
            placeholder: 'e.g. also document the search box',
            required: true,
            max_length: MAX_INPUT,
          },
        ],
      },
    ],
  };
}
