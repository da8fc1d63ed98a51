import { type ApprovalCardModel, encodeApprovalClick } from '../cards/approval-model.ts';
import type { MessageBody } from './discord-rest.ts';
import { inertText } from './inert.ts';

const STYLE = { primary: 1, secondary: 2, success: 3, danger: 4 } as const;

/** `appr:act:<click>`: a button of a permission request's card. */
export const approvalCustomId = (b: ApprovalCardModel['buttons'][number]['click']): string =>
  `appr:act:${encodeApprovalClick(b)}`.slice(0, 100);

/**
 * `text` as a Discord code block, exactly as written: a run of backticks broken with zero-width
 * spaces so it cannot close the block, mentions inert, cut to `max` saying so.
 */
export function codeBlock(text: string, max: number): string {
  const inert = inertText(text).replace(/`{3,}/g, (run) => run.split('').join('\u200b'));
  const room = max - 20;
  const body =
    inert.length <= room ? inert : `${inert.slice(0, room - 30)}\n… (${inert.length - room + 30} more)`;
  return `\`\`\`\n${body}\n\`\`\``;
}

/**
 * An agent's permission request as a Discord embed: who asks, the tool, exactly what it would
 * run or change, until when it waits, and Allow once / Always allow for rig R / Deny; once
 * decided, how, with no button. Nothing it shows notifies anyone.
 */
export function approvalMessage(m: ApprovalCardModel): MessageBody {
  const closed = m.status === 'closed';
  const facts = [
    `rig ${inertText(m.rig)}`,
    closed ? null : `waits until ${m.deadline}`,
    m.truncated ? 'input too large: only its start is shown' : null,
  ].filter(Boolean);
  const work = m.work ? ` ${inertText(m.work)}` : '';
  return {
    content:
      `🔐 **Permission request** \`${inertText(m.id)}\`: \`${inertText(m.agent)}\` wants to use **${inertText(m.tool)}** for \`${inertText(m.bead)}\`${work}`.slice(
        0,
        2000,
      ),
    embeds: [
      {
        title: inertText(`${m.tool}`).slice(0, 256),
        description: codeBlock(m.subject, 4096),
        color: !closed ? 0xf57c00 : m.outcome === 'allow' ? 0x2e7d32 : 0xc62828,
        fields: [
          ...(m.detail ? [{ name: 'Change', value: codeBlock(m.detail, 1024) }] : []),
          ...(closed
            ? [
                {
                  name: m.outcome === 'allow' ? 'Allowed' : 'Denied',
                  value: inertText(m.closed ?? '').slice(0, 1024) || '—',
                },
              ]
            : []),
        ],
        footer: { text: facts.join(' · ').slice(0, 2048) },
      },
    ],
    components: closed
      ? []
      : [
          {
            type: 1,
            components: m.buttons.map((b) => ({
              type: 2,
              style:
                b.style === 'primary' ? STYLE.success : b.style === 'danger' ? STYLE.danger : STYLE.primary,
              label: b.label.slice(0, 80),
              custom_id: approvalCustomId(b.click),
            })),
          },
        ],
    allowed_mentions: { parse: [] },
  };
}
