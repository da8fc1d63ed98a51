import { encodeGateClick, type GateCardModel } from '../cards/gate-model.ts';
import type { MessageBody } from './discord-rest.ts';
import { inertText } from './inert.ts';

const PRIMARY = 1;
const MAX_DEPENDENTS = 15;

/** `gate:act:<click>`: an Approve click. */
export const gateCustomId = (b: GateCardModel['buttons'][number]['click']): string =>
  `gate:act:${encodeGateClick(b)}`.slice(0, 100);

/**
 * A human gate's card as a Discord embed: its title, the formula step, what waits on it, and
 * Approve while open; once closed, who approved it. Nothing it shows notifies anyone.
 */
export function gateMessage(m: GateCardModel): MessageBody {
  const origin = [
    m.formula ? `formula ${inertText(m.formula)}` : null,
    m.step ? `step ${inertText(m.step)}` : null,
    m.rig ? `rig ${inertText(m.rig)}` : null,
  ].filter(Boolean);
  const waiting = m.dependents
    .slice(0, MAX_DEPENDENTS)
    .map((d) => `\`${inertText(d.id)}\` ${inertText(d.title)}`);
  if (m.dependents.length > MAX_DEPENDENTS)
    waiting.push(`… and ${m.dependents.length - MAX_DEPENDENTS} more`);
  const closed = m.status === 'closed';
  return {
    content: `🛂 **Human gate** \`${inertText(m.id)}\` ${inertText(m.title)}`.slice(0, 2000),
    embeds: [
      {
        title: inertText(m.title).slice(0, 256),
        ...(closed ? { description: `✓ ${inertText(m.closed ?? 'closed')}`.slice(0, 4096) } : {}),
        color: closed ? 0x2e7d32 : 0xf57c00,
        fields: waiting.length ? [{ name: 'Waiting on it', value: waiting.join('\n').slice(0, 1024) }] : [],
        ...(origin.length ? { footer: { text: origin.join(' · ').slice(0, 2048) } } : {}),
      },
    ],
    components: closed
      ? []
      : [
          {
            type: 1,
            components: m.buttons.map((b) => ({
              type: 2,
              style: PRIMARY,
              label: b.label,
              custom_id: gateCustomId(b.click),
            })),
          },
        ],
    allowed_mentions: { parse: [] },
  };
}
