import { encodeClick, type QueueButton } from '../cards/queue-buttons.ts';
import type { QueueCardModel, QueueLine, VerifyingLine } from '../cards/queue-model.ts';
import type { MessageBody } from './discord-rest.ts';
import { inertText } from './inert.ts';

const STYLE = { primary: 1, secondary: 2, danger: 4 } as const;
const MAX_QUEUED = 12;
/** Discord allows 5 rows of buttons: one per failure (the newest four), one for Freeze/Thaw. */
const FAILURE_ROWS = 4;

/** `mq:<act|ask|yes>:<click>`: a click, a destructive one's "are you sure?", and its "yes". */
export const queueCustomId = (verb: 'act' | 'ask' | 'yes', b: QueueButton['click']): string =>
  `mq:${verb}:${encodeClick(b)}`.slice(0, 100);

/**
 * A rig's living merge-queue card as a Discord embed: what is verified and for how long, the
 * queue in order, failures with why, the last landings, the freeze; buttons for the failures
 * (labelled with their MR, since rows sit under the embed) and Freeze/Thaw. Nothing it shows
 * notifies anyone.
 */
export function queueMessage(m: QueueCardModel): MessageBody {
  const description = [
    ...(m.frozen
      ? [
          `⏸ **Frozen** by ${inertText(m.frozen.by)} at ${discordTime(m.frozen.at)}: ${inertText(m.frozen.reason || 'no reason given')} — nothing lands until thawed`,
        ]
      : []),
    ...m.verifying.map((v) => `⏳ ${verifyingText(v)}`),
  ].join('\n');
  const queued = m.queue.slice(0, MAX_QUEUED).map((q) => `#${q.position} ${lineText(q)}`);
  if (m.queue.length > MAX_QUEUED) queued.push(`… and ${m.queue.length - MAX_QUEUED} more (gt mq list)`);
  const fields = [
    ...(queued.length ? [{ name: `Queue (${m.queue.length})`, value: field(queued) }] : []),
    ...(m.failures.length
      ? [
          {
            name: `✗ Failed (${m.failures.length})`,
            value: field(
              m.failures.map(
                (f) => `${lineText(f)} — **${f.status}**: ${inertText(f.reason || 'no reason given')}`,
              ),
            ),
          },
        ]
      : []),
    ...(m.landed.length
      ? [{ name: '✓ Landed', value: field(m.landed.map((l) => `${lineText(l)} at \`${l.sha}\``)) }]
      : []),
  ];
  const rows = m.failures
    .slice(0, FAILURE_ROWS)
    .map((f) => row(f.buttons, ` ${f.id}`))
    .concat([row(m.buttons, '')]);
  return {
    content: `🚦 **${inertText(m.title)}** — ${m.summary}`.slice(0, 2000),
    embeds: [
      {
        title: inertText(m.title).slice(0, 256),
        ...(description ? { description: description.slice(0, 4096) } : {}),
        color: m.frozen ? 0x607d8b : m.failures.length ? 0xf57c00 : 0x2e7d32,
        fields,
        footer: { text: inertText(`rig ${m.rig}`) },
      },
    ],
    components: rows,
    allowed_mentions: { parse: [] },
  };
}

function row(buttons: readonly QueueButton[], suffix: string): object {
  return {
    type: 1,
    components: buttons.slice(0, 5).map((b) => ({
      type: 2,
      style: b.style === 'danger' ? STYLE.danger : b.style === 'primary' ? STYLE.primary : STYLE.secondary,
      label: `${b.label}${suffix}`.slice(0, 80),
      custom_id: queueCustomId(b.confirm ? 'ask' : 'act', b.click),
    })),
  };
}

const field = (lines: string[]): string => lines.join('\n').slice(0, 1024);

const lineText = (l: QueueLine): string =>
  `\`${inertText(l.id)}\` ${inertText(l.branch)}${l.bead ? ` · ${inertText(l.bead)}` : ''}`;

function verifyingText(v: VerifyingLine): string {
  const usual = v.usual ? ` (usually ~${v.usual})` : '';
  const g = v.gate;
  const gate = g
    ? ` · gate ${g.step} \`${inertText(g.command).replace(/`/g, "'")}\` ${g.elapsed}${g.usual ? ` (usually ~${g.usual})` : ''}`
    : '';
  return `${lineText(v)} — ${v.override ? 'landing anyway, no gates' : `${v.elapsed}${usual}${gate}`}`;
}

function discordTime(iso: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? inertText(iso) : `<t:${Math.floor(at / 1000)}:f>`;
}
