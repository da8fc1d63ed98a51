import type { Bead } from '../domain/bead.ts';

/** Terminal text shared by several verbs. */

export const beadLine = (b: Bead): string =>
  `${b.id}  [P${b.priority}] [${b.issue_type}] ${b.status}${b.assignee ? ` @${b.assignee}` : ''}  ${b.title}`;

export const beadLines = (beads: readonly Bead[], empty: string): string =>
  beads.length === 0 ? empty : beads.map(beadLine).join('\n');

export function beadDetail(b: Bead & { dependencies?: Dep[]; dependents?: Dep[] }): string {
  const lines = [
    `${b.id}: ${b.title}`,
    `  status: ${b.status}${b.is_blocked ? ' (blocked)' : ''}   priority: P${b.priority}   type: ${b.issue_type}`,
  ];
  if (b.rig) lines.push(`  rig: ${b.rig}`);
  if (b.assignee) lines.push(`  assignee: ${b.assignee}`);
  if (b.parent) lines.push(`  parent: ${b.parent}`);
  if (b.labels.length > 0) lines.push(`  labels: ${b.labels.join(', ')}`);
  if (b.description) lines.push('', ...b.description.split('\n').map((l) => `  ${l}`), '');
  for (const d of b.dependencies ?? []) lines.push(`  depends on ${d.id} (${d.type})`);
  for (const d of b.dependents ?? []) lines.push(`  needed by ${d.id} (${d.type})`);
  if (b.closed_at) lines.push(`  closed ${b.closed_at}${b.close_reason ? `: ${b.close_reason}` : ''}`);
  return lines.join('\n');
}

interface Dep {
  id: string;
  type: string;
}
