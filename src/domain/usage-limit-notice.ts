import { rigOfAgent } from './agent-address.ts';
import type { Bead } from './bead.ts';
import { escalationView } from './escalation.ts';
import type { Rig } from './rig.ts';
import { isPauseOpen } from './usage-limit.ts';
import { rigsSharingAccount } from './usage-limit-account.ts';

/**
 * The one notice people get per pause: an escalation of kind `usage-limit` (severity low, never
 * re-escalated), about the polecat whose limit started the pause — so it is routed to that rig's
 * channel — and retired once no rig of its account is paused any more.
 */
export const NOTICE_KIND = 'usage-limit';
export const NOTICE_LABEL = `kind:${NOTICE_KIND}`;

/** The rig a notice is about (its agent's), or null for one that names none. */
export function noticeRig(e: Bead): string | null {
  const agent = escalationView(e).agent;
  return agent ? rigOfAgent(agent) : null;
}

/**
 * Why an open notice may retire now — no rig of its account still holds a pause — or null while
 * one does. A notice whose rig is gone retires too.
 */
export function noticeCleared(e: Bead, rigs: readonly Rig[]): string | null {
  const name = noticeRig(e);
  const rig = rigs.find((r) => r.name === name);
  if (!rig) return `rig ${name ?? '(none)'} no longer exists`;
  const group = rigsSharingAccount(rig, rigs);
  if (group.some((r) => isPauseOpen(r.usage_limit))) return null;
  const names = group.map((r) => r.name).join(', ');
  return `the usage-limit pause lifted; dispatch to ${names} resumed`;
}

/** Of open notices, the one about any of `rigs` (the first: there is at most one per account). */
export const noticeAbout = (open: readonly Bead[], rigs: readonly string[]): Bead | null =>
  open.find((e) => {
    const rig = noticeRig(e);
    return rig !== null && rigs.includes(rig);
  }) ?? null;
