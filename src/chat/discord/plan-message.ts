import { encodePlanClick, type PlanButton, type PlanCardModel, type PlanClick } from '../cards/plan-model.ts';
import type { MessageBody } from './discord-rest.ts';
import { inertText } from './inert.ts';

const STYLE = { primary: 1, secondary: 2, danger: 4 } as const;
const MAX_ROWS = 40;
const MAX_WAVE_FIELDS = 10;
const MAX_WARNINGS = 10;
/** Discord's limit on an embed's title, description, fields and footer together (less a margin). */
const EMBED_MAX = 5_900;
const COLOR: Record<PlanCardModel['state'], number> = {
  queued: 0x9e9e9e,
  planning: 0x1976d2,
  ready: 0xf57c00,
  launched: 0x2e7d32,
  discarded: 0x616161,
  failed: 0xd32f2f,
};

/**
 * What a plan card's component does: `act` (Launch runs; Revise… opens the dialog), `ask`
 * (Discard asks "are you sure?" first: Discord buttons have no confirm dialog), `yes` (the
 * confirmed Discard), `say` (the Revise dialog's submission).
 */
export type PlanStep = 'act' | 'ask' | 'yes' | 'say';

/** `plan:<step>:<click>` (see plan-clicks.ts). */
export const planCustomId = (step: PlanStep, c: PlanClick): string =>
  `plan:${step}:${encodePlanClick(c)}`.slice(0, 100);

/**
 * Text written by people or agents, inert for Discord: no mention (inert.ts) and no markdown —
 * emphasis, code, spoilers, masked links, and headings, quotes and lists at a line's start are
 * escaped, so a goal shows as typed.
 */
export const inertMarkdown = (s: string): string =>
  inertText(s)
    .replace(/[\\*_~`|[\]()]/g, '\\$&')
    .replace(/^(\s*)([#>-])/gm, '$1\\$2');

type Field = { name: string; value: string };

/** A Discord user id (a snowflake) as the service gets it from a verified interaction. */
const DISCORD_USER = /^\d{1,25}$/;

/** `discord:42` → `<@42>` (rendered, never pinging: no mention is allowed); anyone else by name. */
function who(actor: string): string {
  const id = actor.startsWith('discord:') ? actor.slice(8) : '';
  return DISCORD_USER.test(id) ? `<@${id}>` : inertMarkdown(actor);
}

/**
 * A plan's card as a Discord embed: who asked and the goal, where the plan stands, a field per
 * wave (its beads, their rigs and needs), the dependency summary and staging's warnings, and —
 * while it waits for a person — Launch, Revise… and Discard. Nothing it shows notifies anyone.
 */
export function planMessage(m: PlanCardModel): MessageBody {
  const title = m.goal.split('\n').find((l) => l.trim() !== '') ?? m.id;
  const facts = [
    m.rigs.length ? `rigs ${m.rigs.join(', ')}` : 'any rig',
    m.formula ? `formula ${m.formula}` : null,
    m.convoy ? `convoy ${m.convoy.id} v${m.convoy.version}` : null,
    `plan ${m.id}`,
  ].filter(Boolean);
  const description = [
    `Asked by ${who(m.requester)}`,
    '',
    inertMarkdown(m.goal).slice(0, 3000),
    '',
    `**${inertMarkdown(m.headline)}**`,
  ]
    .join('\n')
    .slice(0, 4096);
  const embedTitle = inertMarkdown(title).slice(0, 256);
  const footer = inertText(facts.join(' · ')).slice(0, 2048);
  const note = m.note ? [{ name: 'Last round', value: `⚠️ ${inertMarkdown(m.note)}`.slice(0, 1024) }] : [];
  const summary = m.summary ? [{ name: 'Dependencies', value: inertMarkdown(m.summary).slice(0, 1024) }] : [];
  const warnings = m.warnings.length ? [{ name: 'Staging warnings', value: warningLines(m) }] : [];
  // An embed holds 6,000 characters in all: the waves that do not fit are left to gt plan show.
  let room = EMBED_MAX - embedTitle.length - description.length - footer.length;
  for (const f of [...note, ...summary, ...warnings]) room -= f.name.length + f.value.length;
  const waves: Field[] = [];
  for (const f of waveFields(m)) {
    room -= f.name.length + f.value.length;
    if (room < 0) break;
    waves.push(f);
  }
  const fields = [...note, ...waves, ...summary, ...warnings];
  return {
    content: `🗺️ **Plan** \`${inertText(m.id)}\` ${inertMarkdown(m.headline)}`.slice(0, 2000),
    embeds: [
      {
        title: embedTitle,
        description,
        color: COLOR[m.state],
        fields,
        footer: { text: footer },
      },
    ],
    components: m.buttons.length ? [{ type: 1, components: m.buttons.map((b) => button(b)) }] : [],
    allowed_mentions: { parse: [] },
  };
}

function button(b: PlanButton) {
  const step: PlanStep = b.confirm ? 'ask' : 'act';
  return {
    type: 2,
    style: b.style ? STYLE[b.style] : STYLE.secondary,
    label: b.label,
    custom_id: planCustomId(step, b.click),
  };
}

/** A field per wave, at most MAX_ROWS beads in all, within Discord's 1,024 characters a field. */
function waveFields(m: PlanCardModel): Field[] {
  const fields: Field[] = [];
  let shown = 0;
  const total = m.waves.reduce((n, w) => n + w.beads.length, 0);
  for (const w of m.waves.slice(0, MAX_WAVE_FIELDS)) {
    if (shown >= MAX_ROWS) break;
    const lines = w.beads.slice(0, MAX_ROWS - shown).map((b) => {
      shown++;
      const needs = b.needs.length ? ` ← ${b.needs.map((n) => `\`${inertText(n)}\``).join(', ')}` : '';
      return `\`${inertText(b.id)}\` ${inertMarkdown(b.title.slice(0, 200))} · ${inertMarkdown(b.rig ?? 'hq')}${needs}`;
    });
    fields.push({ name: `Wave ${w.wave}`, value: fitLines(lines) });
  }
  if (total > shown) fields.push({ name: '…', value: `and ${total - shown} more` });
  return fields;
}

/** Lines joined within a field's 1,024 characters, cut at a line with a visible ellipsis. */
function fitLines(lines: string[]): string {
  let out = '';
  for (const [i, line] of lines.entries()) {
    const next = out ? `${out}\n${line}` : line;
    if (next.length > 1000) return `${out}\n… and ${lines.length - i} more`;
    out = next;
  }
  return out || '—';
}

function warningLines(m: PlanCardModel): string {
  const lines = m.warnings
    .slice(0, MAX_WARNINGS)
    .map((w) => `⚠ [${inertText(w.category)}] ${inertMarkdown(w.message)}`);
  if (m.warnings.length > MAX_WARNINGS) lines.push(`… and ${m.warnings.length - MAX_WARNINGS} more`);
  return fitLines(lines);
}
