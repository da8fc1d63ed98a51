import type { CardButton, EscalationCardModel } from '../cards/escalation-model.ts';
import { severityIcon } from '../cards/escalation-model.ts';
import type { MessageBody } from './discord-rest.ts';
import { inertText, mentionsOf } from './inert.ts';

const COLOR = { critical: 0xd32f2f, high: 0xf57c00, medium: 0xfbc02d, low: 0x9e9e9e } as const;
const STYLE = { primary: 1, secondary: 2, danger: 4 } as const;

/** `esc:<act|ack|pick|yes>:<id>:<version>:<action>` — what a click decides, at which version. */
export const customId = (verb: string, m: { id: string; version: number }, action = ''): string =>
  `esc:${verb}:${m.id}:${m.version}:${action}`.slice(0, 100);

export function parseCustomId(
  id: string,
): { verb: string; id: string; version: string; action: string } | null {
  const [prefix, verb, bead, version, ...action] = id.split(':');
  return prefix === 'esc' && verb && bead && version
    ? { verb, id: bead, version, action: action.join(':') }
    : null;
}

const verbOf = (b: CardButton): string =>
  b.action === 'ack' ? 'ack' : b.action === 'pick' ? 'pick' : b.confirm ? 'ask' : 'act';

/**
 * An escalation as a Discord message: the mention in `content` (only content notifies), the
 * details in an embed coloured by severity, the proposed actions as buttons (5 per row). Buttons
 * of destructive actions first ask to confirm (Discord has no confirm dialog on a button). Only the
 * routed mention may notify; everything written by others is inert.
 */
export function escalationMessage(m: EscalationCardModel, mention: string | null): MessageBody {
  const title = inertText(m.title);
  const fields = [
    { name: 'Severity', value: m.severity, inline: true },
    { name: 'Kind', value: inertText(m.kind), inline: true },
    ...(m.agent ? [{ name: 'Agent', value: `\`${inertText(m.agent)}\``, inline: true }] : []),
    ...(m.bead ? [{ name: 'Bead', value: `\`${inertText(m.bead)}\``, inline: true }] : []),
    ...(m.outcome
      ? [{ name: m.state === 'retired' ? 'Retired' : 'Decision', value: outcomeText(m).slice(0, 1024) }]
      : []),
  ];
  const rows: object[] = [];
  for (let i = 0; i < m.buttons.length && rows.length < 5; i += 5) {
    rows.push({
      type: 1,
      components: m.buttons.slice(i, i + 5).map((b) => ({
        type: 2,
        style: b.style === 'danger' ? STYLE.danger : b.style === 'primary' ? STYLE.primary : STYLE.secondary,
        label: b.label.slice(0, 80),
        custom_id: customId(verbOf(b), m, b.action),
      })),
    });
  }
  return {
    content:
      `${mention ? `${mention} ` : ''}${severityIcon(m.severity)} **${title}**${m.state === 'open' ? '' : ` (${m.state})`}`.slice(
        0,
        2000,
      ),
    embeds: [
      {
        title: title.slice(0, 256),
        description: inertText(m.detail).slice(0, 4096) || undefined,
        color: COLOR[m.severity],
        fields,
        footer: { text: inertText(m.id) },
      },
    ],
    components: rows,
    allowed_mentions: mentionsOf(mention),
  };
}

/** A Discord user id (a snowflake) as the service gets it from a verified interaction. */
const DISCORD_USER = /^\d{1,25}$/;

function outcomeText(m: EscalationCardModel): string {
  const o = m.outcome;
  if (!o) return '';
  const id = o.by?.startsWith('discord:') ? o.by.slice(8) : '';
  const who = DISCORD_USER.test(id) ? `<@${id}>` : inertText(o.by ?? 'someone');
  const at = o.at ? Date.parse(o.at) : Number.NaN;
  const when = Number.isNaN(at) ? '' : ` at <t:${Math.floor(at / 1000)}:f>`;
  const text = inertText(o.text);
  if (m.state === 'retired') return `♻️ ${text}${when}`;
  if (m.state === 'acknowledged') return `👀 Acknowledged by ${who}${when}`;
  return `✅ ${o.text === 'acknowledged' ? 'Closed' : 'Approved'} by ${who}${when}: ${text}`;
}

/** The ephemeral "are you sure?" a destructive button answers with. */
export function confirmPrompt(b: { id: string; version: string; action: string }, text: string): MessageBody {
  return {
    flags: 64,
    content: inertText(`${text} Are you sure?`),
    components: [
      {
        type: 1,
        components: [
          {
            type: 2,
            style: STYLE.danger,
            label: 'Yes, do it',
            custom_id: `esc:yes:${b.id}:${b.version}:${b.action}`.slice(0, 100),
          },
        ],
      },
    ],
  };
}
