import type { Args } from '../../commands/syntax.ts';
import { mayDecide } from '../../domain/merge-decisions.ts';
import type { MrStatus } from '../../domain/merge-request.ts';

/** What a button of a merge-queue card does: a decision on one MR, or a freeze/thaw of the rig. */
export const MR_ACTIONS = ['retry', 'rework', 'reject', 'land-anyway'] as const;
export const RIG_ACTIONS = ['freeze', 'thaw'] as const;
export type MrAction = (typeof MR_ACTIONS)[number];
export type RigAction = (typeof RIG_ACTIONS)[number];

/**
 * A click, as a button carries it: the MR and the version the card showed it at (the verb
 * refuses the click when the MR moved since), or the rig.
 */
export type QueueClick =
  | { kind: 'mr'; id: string; version: number; action: MrAction }
  | { kind: 'rig'; rig: string; action: RigAction };

export interface QueueButton {
  label: string;
  click: QueueClick;
  style: 'primary' | 'danger' | null;
  /** Decisions that cannot be taken back ask first. */
  confirm: { title: string; text: string } | null;
}

/** `mr:<id>:<version>:<action>` or `rig:<name>:<action>` (ids and rig names hold no `:`). */
export function encodeClick(c: QueueClick): string {
  return c.kind === 'mr' ? `mr:${c.id}:${c.version}:${c.action}` : `rig:${c.rig}:${c.action}`;
}

const TOKEN = /^[A-Za-z0-9._-]{1,64}$/;

/** The click a button value names, or null for anything else (a forged or foreign value). */
export function parseClick(value: string): QueueClick | null {
  const parts = value.split(':');
  if (parts[0] === 'mr' && parts.length === 4) {
    const [, id = '', version = '', action = ''] = parts;
    const v = Number(version);
    if (!TOKEN.test(id) || !/^\d{1,15}$/.test(version) || !isOneOf(MR_ACTIONS, action)) return null;
    return { kind: 'mr', id, version: v, action };
  }
  if (parts[0] === 'rig' && parts.length === 3) {
    const [, rig = '', action = ''] = parts;
    if (!TOKEN.test(rig) || !isOneOf(RIG_ACTIONS, action)) return null;
    return { kind: 'rig', rig, action };
  }
  return null;
}

const isOneOf = <T extends string>(list: readonly T[], s: string): s is T =>
  (list as readonly string[]).includes(s);

/** The reason given with decisions a verb wants one for (the actor is on the record anyway). */
export const FROM_CARD = 'from the merge-queue card';
export const FROZEN_FROM_CHAT = 'frozen from chat';

/**
 * The command a click runs, as the clicking person, through the one command layer (which
 * authorizes it against the policy, applies it by compare-and-swap and audits it).
 */
export function clickCommand(c: QueueClick): { verb: string; args: Args } {
  if (c.kind === 'rig')
    return c.action === 'freeze'
      ? { verb: 'gt mq freeze', args: { rig: c.rig, reason: FROZEN_FROM_CHAT } }
      : { verb: 'gt mq thaw', args: { rig: c.rig } };
  const args: Args = { mr: c.id, version: String(c.version) };
  switch (c.action) {
    case 'retry':
      return { verb: 'gt mq retry', args };
    case 'rework':
      return { verb: 'gt mq rework', args };
    case 'reject':
      return { verb: 'gt mq reject', args: { ...args, reason: FROM_CARD } };
    case 'land-anyway':
      return { verb: 'gt mq land-anyway', args: { ...args, reason: FROM_CARD } };
  }
}

/** What a click is about, in words ("retry al-mr-1", "freeze alpha") for confirmations. */
export const describeClick = (c: QueueClick): string =>
  c.kind === 'mr' ? `${c.action.replace('-', ' ')} ${c.id}` : `${c.action} the merge queue of ${c.rig}`;

const mrButton = (
  action: MrAction,
  mr: { id: string; version: number },
): Omit<QueueButton, 'label' | 'style' | 'confirm'> => ({
  click: { kind: 'mr', id: mr.id, version: mr.version, action },
});

/**
 * The buttons of a failed MR: the decisions the `gt mq` verbs take for its state
 * (domain/merge-decisions.ts), in the card's order — retry, rework, reject, land anyway.
 */
export function failureButtons(mr: { id: string; version: number; status: MrStatus }): QueueButton[] {
  const buttons: Record<'retry' | 'rework' | 'reject' | 'land-anyway', QueueButton> = {
    retry: { ...mrButton('retry', mr), label: 'Retry', style: 'primary', confirm: null },
    rework: {
      ...mrButton('rework', mr),
      label: 'Send back for rework',
      style: null,
      confirm: { title: 'Rework?', text: `A polecat gets ${mr.id}'s bead again, with why it did not land.` },
    },
    reject: {
      ...mrButton('reject', mr),
      label: 'Reject',
      style: 'danger',
      confirm: { title: 'Reject?', text: `${mr.id} is refused for good; its bead goes back to the queue.` },
    },
    'land-anyway': {
      ...mrButton('land-anyway', mr),
      label: 'Land anyway',
      style: 'danger',
      confirm: {
        title: 'Land without passing gates?',
        text: `${mr.id} lands on the target as it is, its gates not passed. Needs mq:override.`,
      },
    },
  };
  return (['retry', 'rework', 'reject', 'land-anyway'] as const)
    .filter((d) => mayDecide(d, mr.status))
    .map((d) => buttons[d]);
}

/** Freeze or Thaw, on the card itself. */
export function rigButton(rig: string, frozen: boolean): QueueButton {
  return frozen
    ? { label: 'Thaw', click: { kind: 'rig', rig, action: 'thaw' }, style: 'primary', confirm: null }
    : {
        label: 'Freeze',
        click: { kind: 'rig', rig, action: 'freeze' },
        style: 'danger',
        confirm: {
          title: 'Freeze the merge queue?',
          text: `Nothing of ${rig} lands until it is thawed; verification goes on.`,
        },
      };
}
