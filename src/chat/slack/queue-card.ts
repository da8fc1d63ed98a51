import { encodeClick, type QueueButton } from '../cards/queue-buttons.ts';
import type { QueueCardModel, QueueLine, VerifyingLine } from '../cards/queue-model.ts';
import type { Block } from './escalation-card.ts';
import { clip, escapeText, slackTime } from './format.ts';

/** Clicks on a merge-queue card (action ids are unique per actions block, as Slack wants). */
export const QUEUE_ACTION = /^mq\.act\.\d+$/;

const MAX_QUEUED = 15;
/** Each failure takes two blocks (its line, its buttons): 10 keep the card far below 50 blocks. */
const MAX_FAILURES = 10;

/**
 * A rig's living merge-queue card in Block Kit: what is being verified and for how long, the queue
 * in order, failures with why and what a person may do about them, the last landings, and the
 * freeze. Branches, reasons and names are escaped; nobody is mentioned (the card is edited often).
 */
export function queueBlocks(m: QueueCardModel): Block[] {
  const blocks: Block[] = [
    { type: 'section', text: { type: 'mrkdwn', text: clip(`🚦 *${escapeText(m.title)}* — ${m.summary}`) } },
  ];
  if (m.frozen)
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: clip(
            `⏸ *Frozen* by ${escapeText(m.frozen.by)} at ${slackTime(m.frozen.at)}: ${escapeText(m.frozen.reason || 'no reason given')} — nothing lands until thawed`,
          ),
        },
      ],
    });
  if (m.verifying.length)
    blocks.push(section(`*⏳ Verifying*\n${m.verifying.map((v) => `• ${verifyingText(v)}`).join('\n')}`));
  if (m.queue.length) {
    const lines = m.queue.slice(0, MAX_QUEUED).map((q) => `#${q.position} ${lineText(q)}`);
    if (m.queue.length > MAX_QUEUED) lines.push(`… and ${m.queue.length - MAX_QUEUED} more (gt mq list)`);
    blocks.push(section(`*Queue* (${m.queue.length})\n${lines.join('\n')}`));
  }
  for (const f of m.failures.slice(0, MAX_FAILURES)) {
    blocks.push(section(`✗ ${lineText(f)} — *${f.status}*: ${escapeText(f.reason || 'no reason given')}`));
    blocks.push(actions(`mq:${f.id}`, f.buttons));
  }
  if (m.failures.length > MAX_FAILURES)
    blocks.push(section(`… and ${m.failures.length - MAX_FAILURES} more failed (gt mq list)`));
  if (m.landed.length)
    blocks.push(
      section(
        `*✓ Landed*\n${m.landed.map((l) => `• ${lineText(l)} at \`${escapeText(l.sha)}\``).join('\n')}`,
      ),
    );
  blocks.push(actions(`mq:rig:${m.rig}`, m.buttons));
  return blocks;
}

/** The notification text (screen readers, the push preview). */
export const queueText = (m: QueueCardModel): string =>
  `${m.frozen ? '⏸ ' : ''}${escapeText(m.title)}: ${m.summary}`;

const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text) } });

function lineText(l: QueueLine): string {
  return `\`${escapeText(l.id)}\` ${escapeText(l.branch)}${l.bead ? ` · ${escapeText(l.bead)}` : ''}`;
}

function verifyingText(v: VerifyingLine): string {
  const usual = v.usual ? ` (usually ~${v.usual})` : '';
  const g = v.gate;
  const gate = g
    ? ` · gate ${g.step} \`${escapeText(g.command).replace(/`/g, "'")}\` ${g.elapsed}${g.usual ? ` (usually ~${g.usual})` : ''}`
    : '';
  return `${lineText(v)} — ${v.override ? 'landing anyway, no gates' : `${v.elapsed}${usual}${gate}`}`;
}

function actions(blockId: string, buttons: readonly QueueButton[]): Block {
  return {
    type: 'actions',
    block_id: blockId.slice(0, 255),
    elements: buttons.map((b, i) => ({
      type: 'button',
      action_id: `mq.act.${i}`,
      text: { type: 'plain_text', text: b.label.slice(0, 75) },
      value: encodeClick(b.click),
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
  };
}
