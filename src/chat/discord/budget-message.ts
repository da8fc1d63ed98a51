import {
  type BudgetButton,
  type BudgetCardModel,
  type BudgetClick,
  encodeBudgetClick,
} from '../cards/budget-model.ts';
import type { MessageBody } from './discord-rest.ts';
import { inertText } from './inert.ts';
import { inertMarkdown } from './plan-message.ts';

const STYLE = { primary: 1, danger: 4 } as const;
const COLOR: Record<BudgetCardModel['state'], number> = {
  exhausted: 0xd32f2f,
  extended: 0x1976d2,
  stopped: 0x616161,
  closed: 0x2e7d32,
};

/**
 * What a budget card's button does: `act` (Extend runs), `ask` (Stop asks "are you sure?" first:
 * Discord buttons have no confirm dialog), `yes` (the confirmed Stop).
 */
export type BudgetStep = 'act' | 'ask' | 'yes';

/** `budget:<step>:<click>` (see budget-clicks.ts). */
export const budgetCustomId = (step: BudgetStep, c: BudgetClick): string =>
  `budget:${step}:${encodeBudgetClick(c)}`.slice(0, 100);

/**
 * A convoy's budget card as a Discord embed: the convoy, where its spend stands, and — while it
 * is used up — Extend by $X and Stop; afterwards what became of it. Nothing it shows notifies
 * anyone.
 */
export function budgetMessage(m: BudgetCardModel): MessageBody {
  return {
    content: `💸 **Budget** · convoy \`${inertText(m.convoy)}\``.slice(0, 2000),
    embeds: [
      {
        title: inertMarkdown(m.title).slice(0, 256) || m.convoy,
        description: inertMarkdown(m.headline).slice(0, 4096),
        color: COLOR[m.state],
        footer: {
          text: inertText(
            `gt convoy budget ${m.convoy} --extend USD | --stop · gt costs --convoy ${m.convoy}`,
          ).slice(0, 2048),
        },
      },
    ],
    components: m.buttons.length ? [{ type: 1, components: m.buttons.map(button) }] : [],
    allowed_mentions: { parse: [] },
  };
}

function button(b: BudgetButton) {
  return {
    type: 2,
    style: STYLE[b.style],
    label: b.label,
    custom_id: budgetCustomId(b.confirm ? 'ask' : 'act', b.click),
  };
}
