import { encodePlanClick, type PlanAction, type PlanCardModel } from '../cards/plan-model.ts';
import type { Block } from './escalation-card.ts';
import { clip, escapeText, MAX_TEXT, mentionOf } from './format.ts';

/** Clicks on a plan's card: one action id per button (Slack wants them unique within a block). */
export const PLAN_ACTION = /^plan\.(launch|revise|discard)$/;
export const planActionId = (a: PlanAction): string => `plan.${a}`;

const MAX_ROWS = 40;
const MAX_TITLE = 120;
const MAX_WARNINGS = 10;
const ICON: Record<PlanCardModel['state'], string> = {
  queued: '⏳',
  planning: '🧭',
  ready: '🗺️',
  launched: '🚀',
  discarded: '🗑️',
  failed: '⚠️',
};

/**
 * A plan's card in Block Kit: who asked and the goal, where the plan stands, its waves of beads
 * per rig with the dependency summary and staging's warnings, and — while it waits for a person —
 * Launch, Revise… and Discard (which confirms first). What people and the Mayor wrote (the goal,
 * titles) is escaped and sits in plain-text objects, so it can neither mention, link nor format:
 * Slack has no way to escape its own markup inside mrkdwn.
 */
export function planBlocks(m: PlanCardModel): Block[] {
  const blocks: Block[] = [
    section(`${ICON[m.state]} *Plan* \`${escapeText(m.id)}\` · asked by ${mentionOf(m.requester)}`),
    plain(m.goal),
    section(`*${stateWord(m)}* · ${escapeText(m.headline)}`),
  ];
  const facts = [
    m.rigs.length ? `rigs ${escapeText(m.rigs.join(', '))}` : 'any rig',
    m.formula ? `formula ${escapeText(m.formula)}` : null,
    m.convoy ? `convoy \`${escapeText(m.convoy.id)}\` v${m.convoy.version}` : null,
  ].filter(Boolean);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(facts.join(' · ')) }] });
  if (m.note)
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(`⚠️ ${escapeText(m.note)}`) }] });
  if (m.waves.length) {
    blocks.push(section(`*Waves* · ${escapeText(m.summary ?? '')}`));
    blocks.push(plain(waveLines(m).join('\n')));
  }
  if (m.warnings.length) {
    const lines = m.warnings.slice(0, MAX_WARNINGS).map((w) => `⚠ [${w.category}] ${w.message}`);
    if (m.warnings.length > MAX_WARNINGS) lines.push(`… and ${m.warnings.length - MAX_WARNINGS} more`);
    blocks.push(section('*Staging warnings*'), plain(lines.join('\n')));
  }
  if (m.buttons.length)
    blocks.push({
      type: 'actions',
      block_id: `plan:${m.id}`.slice(0, 255),
      elements: m.buttons.map((b) => ({
        type: 'button',
        action_id: planActionId(b.click.action),
        text: { type: 'plain_text', text: b.label },
        value: encodePlanClick(b.click),
        ...(b.style ? { style: b.style } : {}),
        ...(b.confirm
          ? {
              confirm: {
                title: { type: 'plain_text', text: b.confirm.title.slice(0, 100) },
                text: { type: 'plain_text', text: escapeText(b.confirm.text).slice(0, 300) },
                confirm: { type: 'plain_text', text: b.label },
                deny: { type: 'plain_text', text: 'Cancel' },
                style: 'danger',
              },
            }
          : {}),
      })),
    });
  return blocks;
}

/** The notification text (screen readers, the push preview). */
export const planText = (m: PlanCardModel): string =>
  `${ICON[m.state]} Plan ${escapeText(m.id)}: ${escapeText(m.headline)}`;

const stateWord = (m: PlanCardModel): string =>
  ({
    queued: 'Queued',
    planning: 'Planning',
    ready: 'Ready',
    launched: 'Launched',
    discarded: 'Discarded',
    failed: 'Failed',
  })[m.state];

/**
 * `Wave 1` then a line per bead — id, title, rig, what it needs — in plain text, at most MAX_ROWS
 * beads and what fits a text object (escaped), then how many more.
 */
function waveLines(m: PlanCardModel): string[] {
  const total = m.waves.reduce((n, w) => n + w.beads.length, 0);
  const lines: string[] = [];
  let used = 0;
  let shown = 0;
  const room = (line: string) => used + escapeText(line).length + 1 <= MAX_TEXT - 40;
  for (const w of m.waves) {
    const head = `Wave ${w.wave}`;
    if (shown >= MAX_ROWS || !room(head)) break;
    lines.push(head);
    used += escapeText(head).length + 1;
    for (const b of w.beads) {
      const needs = b.needs.length ? `  ← ${b.needs.join(', ')}` : '';
      const line = `   • ${b.id}  ${short(b.title)}  [${b.rig ?? 'hq'}]${needs}`;
      if (shown >= MAX_ROWS || !room(line)) break;
      lines.push(line);
      used += escapeText(line).length + 1;
      shown++;
    }
  }
  if (total > shown) lines.push(`… and ${total - shown} more (gt plan show ${m.id})`);
  return lines;
}

const short = (title: string): string =>
  title.length <= MAX_TITLE ? title : `${title.slice(0, MAX_TITLE - 1)}…`;

const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text) } });

/** Text as written, inert: escaped (Slack's rule for every text object) and never parsed as mrkdwn. */
const plain = (text: string): Block => ({
  type: 'section',
  text: { type: 'plain_text', text: clip(escapeText(text) || ' '), emoji: false },
});
