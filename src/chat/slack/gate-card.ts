import { encodeGateClick, type GateCardModel } from '../cards/gate-model.ts';
import type { Block } from './escalation-card.ts';
import { clip, escapeText } from './format.ts';

/** Clicks on a human gate's card. */
export const GATE_ACTION = 'gate.approve';

const MAX_DEPENDENTS = 15;

/**
 * A human gate's card in Block Kit: its title, the formula step it was cooked from, what waits on
 * it, and Approve while it is open; once closed, who approved it, no button. Titles and reasons
 * are escaped; nobody is mentioned.
 */
export function gateBlocks(m: GateCardModel): Block[] {
  const blocks: Block[] = [section(`🛂 *Human gate* \`${escapeText(m.id)}\` ${escapeText(m.title)}`)];
  const origin = [
    m.formula ? `formula ${escapeText(m.formula)}` : null,
    m.step ? `step ${escapeText(m.step)}` : null,
    m.rig ? `rig ${escapeText(m.rig)}` : null,
  ].filter(Boolean);
  if (origin.length)
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(origin.join(' · ')) }] });
  if (m.dependents.length) {
    const lines = m.dependents
      .slice(0, MAX_DEPENDENTS)
      .map((d) => `• \`${escapeText(d.id)}\` ${escapeText(d.title)}`);
    if (m.dependents.length > MAX_DEPENDENTS)
      lines.push(`… and ${m.dependents.length - MAX_DEPENDENTS} more`);
    blocks.push(section(`*Waiting on it*\n${lines.join('\n')}`));
  }
  if (m.status === 'closed') blocks.push(section(`✓ ${escapeText(m.closed ?? 'closed')}`));
  else
    blocks.push({
      type: 'actions',
      block_id: `gate:${m.id}`.slice(0, 255),
      elements: m.buttons.map((b) => ({
        type: 'button',
        action_id: GATE_ACTION,
        text: { type: 'plain_text', text: b.label },
        value: encodeGateClick(b.click),
        style: b.style,
      })),
    });
  return blocks;
}

/** The notification text (screen readers, the push preview). */
export const gateText = (m: GateCardModel): string =>
  m.status === 'closed'
    ? `✓ ${escapeText(m.id)} ${escapeText(m.closed ?? 'closed')}`
    : `🛂 Human gate ready: ${escapeText(m.title)}`;

const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text) } });
