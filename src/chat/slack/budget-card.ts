import { type BudgetCardModel, encodeBudgetClick } from '../cards/budget-model.ts';
import type { Block } from './escalation-card.ts';
import { clip, escapeText } from './format.ts';

/** Clicks on a budget card: one action id per button (Slack wants them unique within a block). */
export const BUDGET_ACTION = /^budget\.(extend|stop)$/;

const ICON: Record<BudgetCardModel['state'], string> = {
  exhausted: '💸',
  extended: '➕',
  stopped: '🛑',
  closed: '✓',
};

/**
 * A convoy's budget card in Block Kit: the convoy, where its spend stands, and — while it is used
 * up — Extend by $X and Stop (which confirms first); afterwards what became of it, no button.
 * The title and close reasons are escaped; nobody is mentioned.
 */
export function budgetBlocks(m: BudgetCardModel): Block[] {
  const blocks: Block[] = [
    section(`${ICON[m.state]} *Budget* · convoy \`${escapeText(m.convoy)}\` ${escapeText(m.title)}`),
    section(escapeText(m.headline)),
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: clip(
            `gt convoy budget ${escapeText(m.convoy)} --extend USD | --stop · gt costs --convoy ${escapeText(m.convoy)}`,
          ),
        },
      ],
    },
  ];
  if (m.buttons.length)
    blocks.push({
      type: 'actions',
      block_id: `budget:${m.convoy}`.slice(0, 255),
      elements: m.buttons.map((b) => ({
        type: 'button',
        action_id: `budget.${b.click.action}`,
        text: { type: 'plain_text', text: b.label },
        value: encodeBudgetClick(b.click),
        style: b.style,
        ...(b.confirm
          ? {
              confirm: {
                title: { type: 'plain_text', text: b.confirm.title.slice(0, 100) },
                text: { type: 'plain_text', text: escapeText(b.confirm.text).slice(0, 300) },
                confirm: { type: 'plain_text', text: b.label },
                deny: { type: 'plain_text', text: 'Cancel' },
                style: 'danger',
              },
            }
          : {}),
      })),
    });
  return blocks;
}

/** The notification text (screen readers, the push preview). */
export const budgetText = (m: BudgetCardModel): string =>
  `${ICON[m.state]} Convoy ${escapeText(m.convoy)}: ${escapeText(m.headline)}`;

const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text) } });
