import type { CardItem, ConvoyCardModel } from '../../domain/convoy-progress.ts';
import { progressBar } from '../../domain/convoy-progress.ts';
import { costText } from '../../domain/usage-costs.ts';
import type { MessageBody } from './discord-rest.ts';
import { inertText } from './inert.ts';

const MAX_ITEMS = 12;

/** A living convoy card as a Discord embed; lists are cut and counted to stay within embed limits. */
export function convoyMessage(m: ConvoyCardModel): MessageBody {
  const waves = m.waves
    .slice(0, 12)
    .map((w) => `wave ${w.wave}: ${w.done}/${w.total} done${w.running ? `, ${w.running} running` : ''}`);
  if (m.waves.length > 12) waves.push(`… and ${m.waves.length - 12} more waves`);
  const sections = [
    ['▶ Running', m.running],
    ['⇢ Merging', m.merging],
    ['⛔ Blocked', m.blocked],
    ['○ Ready', m.ready],
    ['✓ Done', m.done],
  ] as const;
  const title = inertText(m.title);
  return {
    content: m.landed ? `🛬 Landed: **${title}**` : `🚚 **${title}**`,
    embeds: [
      {
        title: title.slice(0, 256),
        description: [
          `\`${progressBar(m.completed, m.total)}\``,
          ...(m.cost ? [costText(m.cost)] : []),
          ...waves,
        ]
          .join('\n')
          .slice(0, 4096),
        color: m.landed ? 0x2e7d32 : 0x1565c0,
        fields: sections
          .filter(([label, items]) => items.length > 0 && (!m.landed || label === '✓ Done'))
          .map(([label, items]) => ({ name: `${label} (${items.length})`, value: list(items) })),
        footer: { text: `${m.id} · ${m.status}` },
      },
    ],
    allowed_mentions: { parse: [] },
  };
}

function list(items: readonly CardItem[]): string {
  const lines = items
    .slice(0, MAX_ITEMS)
    .map(
      (i) =>
        `\`${i.id}\` ${inertText(i.title.slice(0, 50))}${i.assignee ? ` — ${inertText(i.assignee)}` : ''}`,
    );
  if (items.length > MAX_ITEMS) lines.push(`… and ${items.length - MAX_ITEMS} more`);
  return lines.join('\n').slice(0, 1024);
}
