import type { EscalationCardModel } from '../cards/escalation-model.ts';
import { severityIcon } from '../cards/escalation-model.ts';
import { clip, escapeText, mentionOf, slackTime } from './format.ts';

/** A Block Kit block (the subset we send). */
export type Block = Record<string, unknown>;

export const ESCALATION_ACTION = /^esc\.(act|ack|pick)\.\d+$/;

/** The value a button carries: what it decides on, at which version (a stale click is refused). */
export const buttonValue = (m: EscalationCardModel, action: string): string =>
  `${m.id}:${m.version}:${action}`;

export function parseButtonValue(value: string): { id: string; version: string; action: string } | null {
  const [id, version, ...action] = value.split(':');
  return id && version && action.length ? { id, version, action: action.join(':') } : null;
}

/**
 * An escalation ping as Block Kit: what is wrong and why, then the proposed actions as buttons
 * (destructive ones confirm first). Once decided, the same card without buttons, saying who
 * decided what and when.
 */
export function escalationBlocks(m: EscalationCardModel, mention: string | null): Block[] {
  const facts = [
    `*${m.severity}* · ${escapeText(m.kind)}`,
    ...(m.agent ? [`agent \`${escapeText(m.agent)}\``] : []),
    ...(m.bead ? [`bead \`${escapeText(m.bead)}\``] : []),
    `\`${escapeText(m.id)}\``,
  ].join(' · ');
  const blocks: Block[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(`${severityIcon(m.severity)} *${escapeText(m.title)}*${mention ? ` ${mention}` : ''}`),
      },
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: clip(facts) }] },
  ];
  if (m.detail)
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`>${escapeText(m.detail).replace(/\n/g, '\n>')}`) },
    });
  if (m.outcome) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(outcomeText(m)) }] });
  if (m.buttons.length)
    blocks.push({
      type: 'actions',
      block_id: `esc:${m.id}`,
      elements: m.buttons.slice(0, 25).map((b, i) => ({
        type: 'button',
        action_id: `esc.${b.action === 'ack' ? 'ack' : b.action === 'pick' ? 'pick' : 'act'}.${i}`,
        text: { type: 'plain_text', text: b.label.slice(0, 75) },
        value: buttonValue(m, b.action),
        ...(b.style ? { style: b.style } : {}),
        ...(b.confirm
          ? {
              confirm: {
                title: { type: 'plain_text', text: b.confirm.title.slice(0, 100) },
                text: { type: 'plain_text', text: b.confirm.text.slice(0, 300) },
                confirm: { type: 'plain_text', text: 'Yes' },
                deny: { type: 'plain_text', text: 'Cancel' },
                style: b.style === 'danger' ? 'danger' : 'primary',
              },
            }
          : {}),
      })),
    });
  return blocks;
}

function outcomeText(m: EscalationCardModel): string {
  const o = m.outcome;
  if (!o) return '';
  const when = o.at ? ` at ${slackTime(o.at)}` : '';
  if (m.state === 'retired') return `♻️ Retired${when}: ${escapeText(o.text)}`;
  if (m.state === 'acknowledged') return `👀 Acknowledged by ${mentionOf(o.by)}${when}`;
  const verb = o.text === 'acknowledged' ? 'Closed' : 'Approved';
  return `✅ ${verb} by ${mentionOf(o.by)}${when}: ${escapeText(o.text)}`;
}

/** The notification text (what shows in the push notification and for screen readers). */
export const escalationText = (m: EscalationCardModel): string =>
  `${severityIcon(m.severity)} [${m.severity}] ${escapeText(m.title)}${m.state === 'open' ? '' : ` (${m.state})`}`;
