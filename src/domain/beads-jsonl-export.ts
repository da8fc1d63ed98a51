import type { Bead } from './bead.ts';
import { ASSIGNEE_LABEL, STATUS_LABEL, TYPE_LABEL } from './beads-jsonl.ts';
import type { Dependency } from './dependency.ts';

/**
 * One bead as a line of beads' JSONL (beads.md §6.1), the inverse of beads-jsonl.ts: keys in
 * a fixed order, empty fields left out as upstream does (`omitempty`), labels, edges and
 * comments sorted — so the same ledger gives the same bytes and `bd export` can be committed
 * and diffed. What an import kept in labels goes back where it came from: `beads-type:<t>` is
 * the type again, `beads-status:<s>` the status, `beads-assignee:<a>` the assignee.
 * Comments carry no `id`: ours are minted at import, and ids that change on every round trip
 * would make the file differ where the ledger does not.
 */

export interface ExportComment {
  author: string;
  text: string;
  created_at: string;
}

export function exportLine(
  bead: Bead,
  deps: readonly Dependency[],
  comments: readonly ExportComment[],
): string {
  let issueType: string = bead.issue_type;
  let status: string = bead.status;
  let assignee = bead.assignee;
  const labels: string[] = [];
  for (const label of bead.labels) {
    if (label.startsWith(TYPE_LABEL) && issueType === 'task') issueType = label.slice(TYPE_LABEL.length);
    else if (label.startsWith(STATUS_LABEL) && status === 'open') status = label.slice(STATUS_LABEL.length);
    else if (label.startsWith(ASSIGNEE_LABEL) && assignee === null)
      assignee = label.slice(ASSIGNEE_LABEL.length);
    else labels.push(label);
  }
  const line: Record<string, unknown> = { id: bead.id, title: bead.title };
  if (bead.description) line.description = bead.description;
  if (bead.acceptance_criteria) line.acceptance_criteria = bead.acceptance_criteria;
  line.status = status;
  line.priority = bead.priority;
  line.issue_type = issueType;
  if (assignee) line.assignee = assignee;
  line.created_at = bead.created_at;
  if (bead.created_by) line.created_by = bead.created_by;
  line.updated_at = bead.updated_at;
  if (bead.closed_at) line.closed_at = bead.closed_at;
  if (bead.close_reason) line.close_reason = bead.close_reason;
  if (labels.length > 0) line.labels = [...labels].sort(byText);
  if (deps.length > 0)
    line.dependencies = [...deps]
      .sort((a, b) => byText(a.depends_on_id, b.depends_on_id))
      .map((d) => ({
        issue_id: d.issue_id,
        depends_on_id: d.depends_on_id,
        type: d.type,
        created_at: d.created_at,
        ...(d.created_by && { created_by: d.created_by }),
        ...(d.gate && d.gate !== 'all-children' && { metadata: { gate: d.gate } }),
      }));
  if (comments.length > 0)
    line.comments = [...comments]
      .sort(
        (a, b) => byText(a.created_at, b.created_at) || byText(a.author, b.author) || byText(a.text, b.text),
      )
      .map((c) => ({ issue_id: bead.id, author: c.author, text: c.text, created_at: c.created_at }));
  return JSON.stringify(line);
}

/** Code-unit order, not the locale's: the same bytes on every machine. */
export const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
