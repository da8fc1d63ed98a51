import type { Bead, BeadPatch, NewBead, Status } from './bead.ts';
import { conflict, refused } from './errors.ts';
import { parseAssignee, parseDescription, parseLabels, parseTitle } from './validation.ts';

/**
 * Pure state transitions of a single bead. Adapters call these so that both stores produce
 * byte-identical records; rules that need the graph (guards, cycles) live in close-rules.ts and
 * dependency-rules.ts.
 */

export function buildBead(input: NewBead, id: string, rig: string | null, actor: string, now: string): Bead {
  return {
    id,
    title: parseTitle(input.title),
    description: parseDescription(input.description),
    acceptance_criteria: parseDescription(input.acceptance_criteria),
    status: input.status ?? 'open',
    priority: input.priority ?? 2,
    issue_type: input.issue_type ?? 'task',
    assignee: parseAssignee(input.assignee ?? null),
    labels: parseLabels(input.labels ?? []),
    parent: input.parent ?? null,
    rig,
    created_at: now,
    created_by: actor,
    updated_at: now,
    closed_at: input.status === 'closed' ? now : null,
    close_reason: '',
    is_blocked: false,
    version: 1,
  };
}

/** The event a patch produces, following upstream's rules (beads.md §5.2). */
export type PatchEvent = 'bead_updated' | 'bead_status_changed' | 'bead_closed' | 'bead_reopened';

export interface PatchResult {
  bead: Bead;
  /** Names of the fields that changed; empty when the patch changed nothing. */
  changed: string[];
  event: PatchEvent;
}

export function applyPatch(bead: Bead, patch: BeadPatch, now: string): PatchResult {
  const next: Bead = { ...bead, labels: [...bead.labels] };
  const changed: string[] = [];
  const set = <K extends keyof Bead>(key: K, value: Bead[K]) => {
    if (next[key] === value) return;
    next[key] = value;
    changed.push(key);
  };
  if (patch.title !== undefined) set('title', parseTitle(patch.title));
  if (patch.description !== undefined) set('description', parseDescription(patch.description));
  if (patch.acceptance_criteria !== undefined)
    set('acceptance_criteria', parseDescription(patch.acceptance_criteria));
  if (patch.priority !== undefined) set('priority', patch.priority);
  if (patch.assignee !== undefined) set('assignee', parseAssignee(patch.assignee));
  if (patch.status !== undefined && patch.status !== bead.status) {
    checkStatusForType(bead, patch.status);
    set('status', patch.status);
    set('closed_at', patch.status === 'closed' ? now : null);
    if (bead.status === 'closed') set('close_reason', '');
  }
  const labels = mergeLabels(bead.labels, patch.add_labels ?? [], patch.remove_labels ?? []);
  if (labels.join('\n') !== bead.labels.join('\n')) {
    next.labels = labels;
    changed.push('labels');
  }
  if (changed.length > 0) {
    next.updated_at = now;
    next.version = bead.version + 1;
  }
  return { bead: next, changed, event: eventFor(bead.status, next.status) };
}

function eventFor(from: Status, to: Status): PatchEvent {
  if (from === to) return 'bead_updated';
  if (to === 'closed') return 'bead_closed';
  if (from === 'closed') return 'bead_reopened';
  return 'bead_status_changed';
}

function checkStatusForType(bead: Bead, status: Status): void {
  const convoyOnly = status === 'staged_ready' || status === 'staged_warnings';
  if (convoyOnly && bead.issue_type !== 'convoy') {
    throw refused(
      'invalid_status_for_type',
      `status ${status} is only for convoys; ${bead.id} is a ${bead.issue_type}`,
    );
  }
}

function mergeLabels(
  current: readonly string[],
  add: readonly string[],
  remove: readonly string[],
): string[] {
  const removed = new Set(parseLabels(remove));
  return [...new Set([...current, ...parseLabels(add)])].filter((l) => !removed.has(l));
}

export function closed(bead: Bead, reason: string, now: string): Bead {
  // is_blocked is left for propagateBlocked to clear, so the flip also re-evaluates the children.
  return {
    ...bead,
    status: 'closed',
    closed_at: now,
    close_reason: reason,
    updated_at: now,
    version: bead.version + 1,
  };
}

export function reopened(bead: Bead, now: string): Bead {
  return {
    ...bead,
    status: 'open',
    closed_at: null,
    close_reason: '',
    updated_at: now,
    version: bead.version + 1,
  };
}

/** Claim CAS precondition, shared so both stores compare the same way (null and '' are unassigned). */
export interface ClaimExpectation {
  status: Status;
  assignee: string | null;
  version?: number;
}

export function claimMatches(bead: Bead, expect: ClaimExpectation): boolean {
  return (
    bead.status === expect.status &&
    (bead.assignee ?? null) === (expect.assignee ?? null) &&
    (expect.version === undefined || bead.version === expect.version)
  );
}

/** Which rig a new bead belongs to: its own --rig, else its parent's; the two must agree. */
export function placeBead(rig: string | null, parent: Bead | null): string | null {
  if (parent && rig && parent.rig !== rig) {
    throw conflict(
      'rig_mismatch',
      `parent ${parent.id} is in rig ${parent.rig ?? '(town)'}, not ${rig}; drop --rig`,
    );
  }
  return rig ?? parent?.rig ?? null;
}
