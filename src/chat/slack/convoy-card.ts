import type { CardItem, ConvoyCardModel } from '../../domain/convoy-progress.ts';
import { progressBar } from '../../domain/convoy-progress.ts';
import { costText } from '../../domain/usage-costs.ts';
import type { Block } from './escalation-card.ts';
import { clip, escapeText } from './format.ts';

/** Items listed per section; the rest is counted ("… and 312 more"), keeping any convoy in limits. */
const MAX_ITEMS = 15;
const MAX_WAVES = 12;

/**
 * A living convoy card in Block Kit: title and progress bar, one line per wave, then what is
 * running, blocked, ready and done. However large the convoy, it stays well inside Slack's
 * limits (50 blocks, 3,000 characters per text): lists are cut and counted.
 */
export function convoyBlocks(m: ConvoyCardModel, link: (id: string) => string = code): Block[] {
  const head = m.landed ? `🛬 *${escapeText(m.title)}* — landed` : `🚚 *${escapeText(m.title)}*`;
  const blocks: Block[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(
          `${head}\n\`${progressBar(m.completed, m.total)}\`${m.cost ? `\n${costText(m.cost)}` : ''}`,
        ),
      },
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: clip(`${link(m.id)} · ${m.status}`) }] },
  ];
  if (m.waves.length > 0) {
    const lines = m.waves
      .slice(0, MAX_WAVES)
      .map((w) => `wave ${w.wave}: ${w.done}/${w.total} done${w.running ? `, ${w.running} running` : ''}`);
    if (m.waves.length > MAX_WAVES) lines.push(`… and ${m.waves.length - MAX_WAVES} more waves`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(lines.join('\n')) } });
  }
  for (const [label, items] of [
    ['▶ Running', m.running],
    ['⇢ Merging', m.merging],
    ['⛔ Blocked', m.blocked],
    ['○ Ready', m.ready],
    ['✓ Done', m.done],
  ] as const) {
    if (items.length === 0 || (m.landed && label !== '✓ Done')) continue;
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`*${label}* (${items.length})\n${list(items, link)}`) },
    });
  }
  return blocks;
}

function list(items: readonly CardItem[], link: (id: string) => string): string {
  const shown = items
    .slice(0, MAX_ITEMS)
    .map(
      (i) =>
        `• ${link(i.id)} ${escapeText(i.title.slice(0, 80))}${i.assignee ? ` — ${escapeText(i.assignee)}` : ''}`,
    );
  if (items.length > MAX_ITEMS) shown.push(`… and ${items.length - MAX_ITEMS} more`);
  return shown.join('\n');
}

export const convoyText = (m: ConvoyCardModel): string =>
  `${m.landed ? 'Landed' : 'Convoy'}: ${escapeText(m.title)} (${m.completed}/${m.total})`;

const code = (id: string) => `\`${escapeText(id)}\``;
