import type { Args } from '../../commands/syntax.ts';
import type { PlanState } from '../../domain/plan.ts';
import type { PlanView } from '../../domain/plan-view.ts';
import type { Reply } from '../../domain/reply.ts';
import { oneLine } from './queue-model.ts';

export type PlanAction = 'launch' | 'revise' | 'discard';

/**
 * A click on a plan's card: what it does to the plan's staged convoy, at the convoy version the
 * card showed (the verbs compare it: a plan revised since the card was drawn is refused). The
 * plan's id rides along so a refused click can redraw the right card; the verb is given the
 * convoy, so a click can never act on a convoy the card did not show.
 */
export interface PlanClick {
  plan: string;
  convoy: string;
  version: number;
  action: PlanAction;
}

export interface PlanButton {
  label: string;
  click: PlanClick;
  style: 'primary' | 'danger' | null;
  /** Asked before the click is made (Slack: a confirm dialog; Discord: a "Yes" button). */
  confirm: { title: string; text: string } | null;
}

export interface PlanBeadRow {
  id: string;
  title: string;
  rig: string | null;
  needs: string[];
}

/** Text here is as written (the goal, titles, reasons, names): each renderer makes it inert. */
export interface PlanCardModel {
  id: string;
  state: PlanState;
  /** The goal as asked (several lines allowed). */
  goal: string;
  /** Who asked: an actor id (`slack:U1`, `discord:42`, `cli:ann`…), shown by each platform its way. */
  requester: string;
  rigs: string[];
  formula: string | null;
  /** The Mayor's round the card speaks of (a queued plan: the round about to start). */
  round: number;
  /** One line saying where the plan stands (a closed plan: why it closed). */
  headline: string;
  convoy: { id: string; status: string; version: number } | null;
  /** Shown while the plan is open; a closed plan's work is on its convoy's card. */
  waves: Array<{ wave: number; beads: PlanBeadRow[] }>;
  /** "3 beads in 2 waves · 2 dependencies · web 2, docs 1 · 1 gated step", or null when empty. */
  summary: string | null;
  warnings: Array<{ category: string; message: string }>;
  /** What the last round said when it failed (the plan is back for review). */
  note: string | null;
  /** Launch, Revise…, Discard while the plan waits for a person; none otherwise. */
  buttons: PlanButton[];
}

const CLOSED: ReadonlySet<PlanState> = new Set(['launched', 'discarded', 'failed']);
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

function headlineOf(v: PlanView, round: number): string {
  if (CLOSED.has(v.state)) return oneLine(v.note ?? '') || v.state;
  if (v.state === 'ready') return 'Staged for review: nothing starts until someone launches it.';
  return `The Mayor is planning (round ${round})…`;
}

function summaryOf(v: PlanView): string | null {
  const beads = v.waves.reduce((n, w) => n + w.beads.length, 0);
  if (beads === 0) return null;
  const rigs = Object.entries(v.per_rig)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([rig, n]) => `${rig} ${n}`)
    .join(', ');
  return [
    `${plural(beads, 'bead')} in ${plural(v.waves.length, 'wave')}`,
    `${v.edges} ${v.edges === 1 ? 'dependency' : 'dependencies'}`,
    rigs,
    ...(v.gated.length ? [plural(v.gated.length, 'gated step')] : []),
  ].join(' · ');
}

/** The buttons of a plan waiting for a person, each carrying the convoy's version. */
function buttonsOf(v: PlanView): PlanButton[] {
  if (v.state !== 'ready' || !v.convoy) return [];
  const click = (action: PlanAction): PlanClick => ({
    plan: v.id,
    convoy: v.convoy?.id ?? '',
    version: v.convoy?.version ?? 0,
    action,
  });
  return [
    { label: 'Launch', click: click('launch'), style: 'primary', confirm: null },
    { label: 'Revise…', click: click('revise'), style: null, confirm: null },
    {
      label: 'Discard',
      click: click('discard'),
      style: 'danger',
      confirm: {
        title: 'Discard this plan?',
        text: `Convoy ${v.convoy.id} and the beads it tracks will be closed; the Mayor's work on it is lost.`,
      },
    },
  ];
}

/** The card of a plan, from what `gt plan show` sees. */
export function planCardModel(v: PlanView): PlanCardModel {
  const round = v.state === 'queued' ? v.round + 1 : Math.max(v.round, 1);
  const closed = CLOSED.has(v.state);
  return {
    id: v.id,
    state: v.state,
    goal: v.goal,
    requester: v.requester,
    rigs: v.rigs,
    formula: v.formula,
    round,
    headline: headlineOf(v, round),
    convoy: v.convoy && { id: v.convoy.id, status: v.convoy.status, version: v.convoy.version },
    waves: closed
      ? []
      : v.waves.map((w) => ({
          wave: w.wave,
          beads: w.beads.map((b) => ({ id: b.id, title: oneLine(b.title), rig: b.rig, needs: b.needs })),
        })),
    summary: closed ? null : summaryOf(v),
    warnings: closed ? [] : v.warnings.map((w) => ({ category: w.category, message: oneLine(w.message) })),
    note: closed ? null : v.note && oneLine(v.note),
    buttons: buttonsOf(v),
  };
}

/** `plan:<plan>:<convoy>:<version>:<action>` (ids hold no `:`). */
export const encodePlanClick = (c: PlanClick): string =>
  `plan:${c.plan}:${c.convoy}:${c.version}:${c.action}`;

const TOKEN = /^[A-Za-z0-9._-]{1,64}$/;
const ACTIONS: ReadonlySet<string> = new Set<PlanAction>(['launch', 'revise', 'discard']);

/** The click a button value names, or null for anything else (a forged or foreign value). */
export function parsePlanClick(value: string): PlanClick | null {
  const parts = value.split(':');
  if (parts.length !== 5 || parts[0] !== 'plan') return null;
  const [, plan = '', convoy = '', version = '', action = ''] = parts;
  if (!TOKEN.test(plan) || !TOKEN.test(convoy) || !/^\d{1,15}$/.test(version) || !ACTIONS.has(action))
    return null;
  return { plan, convoy, version: Number(version), action: action as PlanAction };
}

/** The reason kept with a discard made on the card (the actor is on the record anyway). */
export const DISCARDED_FROM_CHAT = 'from chat';

/**
 * The command a click runs, as the clicking person, through the one command layer (which
 * authorizes it — `convoy:launch` or `convoy:create` in the plan's rigs —, compares the convoy's
 * version and audits it). Revise carries the text the person wrote in the dialog.
 */
export function planClickCommand(c: PlanClick, text = ''): { verb: string; args: Args } {
  const at = { id: c.convoy, version: String(c.version) };
  if (c.action === 'launch') return { verb: 'gt plan launch', args: at };
  if (c.action === 'discard')
    return { verb: 'gt plan discard', args: { ...at, reason: DISCARDED_FROM_CHAT } };
  return { verb: 'gt plan revise', args: { ...at, message: text } };
}

/**
 * Whether a refused click means the card no longer shows the plan as it is (changed since it was
 * drawn, decided by someone else, no longer this convoy's): then the card is redrawn from the
 * ledger, so the next click is made on what is true now. A refusal for want of a permission
 * changes nothing on the card.
 */
export const refusalRedraws = (reply: Reply | null): boolean =>
  reply !== null && !reply.ok && (reply.error.kind === 'conflict' || reply.error.code === 'not_a_plan');
