import type { Bead } from './bead.ts';

/**
 * Integration branches (reference/refinery.md §4.3): an epic's work can gather on a branch of
 * its own — each child's merge request lands there, verified as usual — and the whole lands on
 * the rig's target as one merge request once every child is closed. The epic carries the
 * branch's name as a label, so every interface shows it and nothing else needs a field.
 */
const LABEL = 'integration:';

export const integrationLabel = (branch: string): string => `${LABEL}${branch}`;

/** The epic's integration branch, or null when it has none. */
export function integrationBranchOf(epic: Pick<Bead, 'labels'>): string | null {
  const label = epic.labels.find((l) => l.startsWith(LABEL));
  return label ? label.slice(LABEL.length) : null;
}

export const defaultIntegrationBranch = (epicId: string): string => `integration/${epicId}`;
