import type { Bead } from './bead.ts';
import { isSlingableType } from './convoy.ts';
import { refused } from './errors.ts';
import type { Rig } from './rig.ts';

/**
 * `gt sling` guards (reference/convoy.md §1.14, comms-supervision.md §3), in the order a user
 * wants to hear them. --force overrides only what it safely can: a blocked or hand-assigned
 * bead, never a closed one, a container, town-level work or a parked rig.
 */
export type SlingVerdict = 'proceed' | 'already_hooked';

export function checkSling(
  bead: Bead,
  rig: Rig | null,
  target: string | undefined,
  force: boolean,
): SlingVerdict {
  if (bead.status === 'closed')
    throw refused('closed', `${bead.id} is closed; reopen it first (bd reopen ${bead.id})`);
  if (!isSlingableType(bead.issue_type)) {
    throw refused(
      'not_slingable',
      `${bead.id} is a ${bead.issue_type}; only task, bug, feature and chore beads can be slung`,
    );
  }
  if (bead.rig === null || rig === null) {
    throw refused(
      'town_level',
      `${bead.id} is town-level work with no rig; create it in a rig (bd create --rig R)`,
    );
  }
  if (target !== undefined && target !== bead.rig) {
    throw refused(
      'wrong_rig',
      `${bead.id} belongs to rig ${bead.rig}, not ${target}; sling it to ${bead.rig}`,
    );
  }
  if (rig.parked)
    throw refused('rig_parked', `rig ${rig.name} is parked; unpark it first (gt rig unpark ${rig.name})`);
  if ((bead.status === 'hooked' || bead.status === 'in_progress') && bead.assignee) return 'already_hooked';
  if (force) return 'proceed';
  if (bead.status !== 'open')
    throw refused(
      'not_open',
      `${bead.id} is ${bead.status}; only open beads are slung (use --force to override)`,
    );
  if (bead.assignee)
    throw refused('assigned', `${bead.id} is assigned to ${bead.assignee}; use --force to sling it anyway`);
  if (bead.is_blocked) {
    throw refused(
      'blocked',
      `${bead.id} is blocked by open dependencies (bd show ${bead.id}); use --force to sling it anyway`,
    );
  }
  return 'proceed';
}

/** Polecat names, Gas Town style; a rig's capacity is the first `max` of them. */
const NAMES = [
  'Toast',
  'Nux',
  'Slit',
  'Furiosa',
  'Capable',
  'Dag',
  'Ace',
  'Max',
  'Rictus',
  'Cheedo',
  'Angharad',
  'Keeper',
  'Valkyrie',
  'Morsov',
  'Corpus',
  'Splendid',
  'Toecutter',
  'Organic',
  'Joe',
  'Coma',
];

export function polecatNames(max: number): string[] {
  return Array.from({ length: max }, (_, i) => {
    const base = NAMES[i % NAMES.length] as string;
    const round = Math.floor(i / NAMES.length);
    return round === 0 ? base : `${base}${round + 1}`;
  });
}

export const polecatAddress = (rig: string, name: string): string => `${rig}/${name}`;

/** Label of a bead waiting for a free slot in its rig (dispatched in priority order when one frees). */
export const QUEUED_LABEL = 'gt:queued';

/**
 * A slot is stale when its bead no longer holds it (closed, released or re-slung), and it is
 * older than `graceMs` — younger slots may belong to a sling still between its take and its claim.
 */
export function isStaleSlot(
  slot: { rig: string; name: string; taken_at: string },
  bead: Bead | null,
  now: Date,
  graceMs: number,
): boolean {
  if (now.getTime() - Date.parse(slot.taken_at) < graceMs) return false;
  const holds =
    bead?.assignee === polecatAddress(slot.rig, slot.name) &&
    (bead.status === 'hooked' || bead.status === 'in_progress');
  return !holds;
}
