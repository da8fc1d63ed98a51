import { type ApprovalCardModel, encodeApprovalClick } from '../cards/approval-model.ts';
import type { Block } from './escalation-card.ts';
import { clip, escapeText, slackTime } from './format.ts';

/** Clicks on a permission request's card (Allow once, Always allow for rig R, Deny). */
export const APPROVAL_ACTION = /^approval\.(allow|always|deny)$/;

/**
 * A code block showing `text` exactly as written, inert: `&`, `<`, `>` escaped (no mention, no
 * link), and a run of backticks broken with zero-width spaces so the text cannot close the block
 * and format what follows. Cut to fit Slack's 3,000 characters, saying so.
 */
export function codeBlock(text: string, max = 2_900): string {
  const inert = escapeText(text).replace(/`{3,}/g, (run) => run.split('').join('\u200b'));
  const body =
    inert.length <= max ? inert : `${inert.slice(0, max)}\n… (${inert.length - max} more characters)`;
  return `\`\`\`${body}\`\`\``;
}

/**
 * An agent's permission request in Block Kit: who asks (polecat, bead), the tool and exactly what
 * it would run or change in a code block, until when the agent waits, and the three buttons;
 * once decided, the same card saying how, with no button. Nothing shown mentions anyone.
 */
export function approvalBlocks(m: ApprovalCardModel): Block[] {
  const work = m.work ? ` ${escapeText(m.work)}` : '';
  const blocks: Block[] = [
    section(
      `🔐 *Permission request* \`${escapeText(m.id)}\`: \`${escapeText(m.agent)}\` wants to use *${escapeText(m.tool)}* for \`${escapeText(m.bead)}\`${work}`,
    ),
    section(codeBlock(m.subject)),
  ];
  if (m.detail) blocks.push(section(codeBlock(m.detail)));
  const facts = [
    `rig ${escapeText(m.rig)}`,
    m.status === 'open' ? `the agent waits until ${slackTime(m.deadline)}` : null,
    m.truncated ? 'the input was too large: only its start is shown' : null,
  ].filter(Boolean);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(facts.join(' · ')) }] });
  if (m.status === 'closed')
    blocks.push(section(`${m.outcome === 'allow' ? '✅' : '⛔'} ${escapeText(m.closed ?? 'decided')}`));
  else
    blocks.push({
      type: 'actions',
      block_id: `approval:${m.id}`.slice(0, 255),
      elements: m.buttons.map((b) => ({
        type: 'button',
        action_id: `approval.${b.click.action}`,
        text: { type: 'plain_text', text: b.label.slice(0, 75) },
        value: encodeApprovalClick(b.click),
        ...(b.style ? { style: b.style } : {}),
      })),
    });
  return blocks;
}

/** The notification text (screen readers, the push preview). */
export const approvalText = (m: ApprovalCardModel): string =>
  m.status === 'closed'
    ? `${escapeText(m.id)}: ${escapeText(m.closed ?? 'decided')}`
    : `🔐 ${escapeText(m.agent)} asks to use ${escapeText(m.tool)}`;

const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text) } });
