import type { Bead, BeadPatch } from '../../domain/bead.ts';
import type { ImportedComment, ImportedEdge, ImportedIssue, ParsedImport } from '../../domain/beads-jsonl.ts';
import { legacyRefusal } from '../../domain/beads-jsonl-edges.ts';
import type { Dependency, DepType } from '../../domain/dependency.ts';
import { notFound, usageError } from '../../domain/errors.ts';
import { prefixOf, TOWN_PREFIX } from '../../domain/ids.ts';
import type { Ledger } from '../../ledger/port.ts';

/**
 * What `bd import` would do, worked out from the file and the ledger before anything is
 * written (so `--dry-run` and a bad file write nothing): per issue create / update /
 * unchanged, the comments and edges missing from the ledger, the edges a newer line dropped,
 * and the warnings.
 */

/** Close reason of beads an import that failed part-way closed: a new import takes them over. */
export const UNDONE = 'bd import failed part-way, undone:';

export interface IssuePlan {
  issue: ImportedIssue;
  rig: string | null;
  action: 'create' | 'update' | 'unchanged';
  existing: Bead | null;
  /** The fields an update changes (`status` included: it goes through close/reopen). */
  changed: string[];
  patch: BeadPatch;
  comments: ImportedComment[];
  /** Edges of an updated bead the newer file no longer has (targets): removed. */
  dropEdges: Dependency[];
}

export interface EdgePlan {
  source: string;
  edge: ImportedEdge;
  /** The type written: the file's, or `related` when our rules refuse the file's. */
  type: DepType;
}

export interface ImportPlan {
  issues: IssuePlan[];
  edges: EdgePlan[];
  warnings: string[];
}

/** Ids per ledger read (an `IN (…)` list stays small). */
const READ_CHUNK = 500;

export async function planImport(
  ledger: Ledger,
  parsed: ParsedImport,
  rigOverride?: string,
): Promise<ImportPlan> {
  const warnings = [...parsed.warnings];
  const rigs = await ledger.listRigs();
  if (rigOverride !== undefined && !rigs.some((r) => r.name === rigOverride))
    throw notFound('rig', rigOverride);
  const byPrefix = new Map(rigs.map((r) => [r.prefix, r.name]));
  const errors: string[] = [];
  // Upstream ids may carry more hyphens than the prefix (`gt-gastown-witness`, beads.md §2.1):
  // the longest rig prefix the id starts with wins.
  const prefixes = rigs.map((r) => r.prefix).sort((x, y) => y.length - x.length);
  const rigOf = (issue: ImportedIssue): string | null => {
    if (issue.id.startsWith(`${TOWN_PREFIX}-`)) return null;
    if (rigOverride !== undefined) return rigOverride;
    const prefix = prefixes.find((p) => issue.id.startsWith(`${p}-`));
    if (prefix !== undefined) return byPrefix.get(prefix) ?? null;
    const shown = prefixOf(issue.id);
    errors.push(
      `line ${issue.line}: no rig has prefix ${shown} (${issue.id}); run gt rig add <name> --prefix ${shown}, or give --rig R`,
    );
    return null;
  };
  const inFile = new Map(parsed.issues.map((i) => [i.id, i]));
  const targets = parsed.issues
    .flatMap((i) => i.edges.map((e) => e.depends_on_id))
    .filter((id) => !inFile.has(id));
  const existing = await readBeads(ledger, [...inFile.keys(), ...new Set(targets)]);
  const issues: IssuePlan[] = [];
  for (const issue of parsed.issues) {
    const rig = rigOf(issue);
    const before = existing.get(issue.id) ?? null;
    const comments = await missingComments(ledger, issue, before);
    if (!before) {
      issues.push({
        issue,
        rig,
        action: 'create',
        existing: null,
        changed: [],
        patch: {},
        comments,
        dropEdges: [],
      });
      continue;
    }
    const takeOver = before.status === 'closed' && before.close_reason.startsWith(UNDONE);
    const newer = takeOver || issue.updated_at > before.updated_at;
    const { changed, patch } = newer ? diff(before, issue) : { changed: [], patch: {} };
    // The newer file is the truth for the bead's own edges too: those it dropped go.
    const kept = new Set(issue.edges.map((e) => e.depends_on_id));
    const dropEdges = newer
      ? (await ledger.dependenciesOf(issue.id)).filter((d) => !kept.has(d.depends_on_id))
      : [];
    if (dropEdges.length > 0) changed.push('dependencies');
    if (newer && before.issue_type !== issue.issue_type)
      warnings.push(
        `${issue.id}: type stays ${before.issue_type} (the file says ${issue.issue_type}; a type does not change)`,
      );
    issues.push({
      issue,
      rig,
      action: changed.length > 0 ? 'update' : 'unchanged',
      existing: before,
      changed,
      patch,
      comments,
      dropEdges,
    });
  }
  if (errors.length > 0)
    throw usageError('unknown_prefix', `nothing was imported:\n${errors.slice(0, 20).join('\n')}`, {
      errors,
    });
  const edges = await planEdges(ledger, parsed.issues, existing, warnings);
  return { issues, edges, warnings };
}

async function readBeads(ledger: Ledger, ids: readonly string[]): Promise<Map<string, Bead>> {
  const found = new Map<string, Bead>();
  for (let i = 0; i < ids.length; i += READ_CHUNK)
    for (const bead of await ledger.listBeads({ ids: ids.slice(i, i + READ_CHUNK), all: true }))
      found.set(bead.id, bead);
  return found;
}

/** A comment is the same comment when author, time and text agree (our ids are minted here). */
async function missingComments(
  ledger: Ledger,
  issue: ImportedIssue,
  before: Bead | null,
): Promise<ImportedComment[]> {
  if (issue.comments.length === 0 || !before) return issue.comments;
  const key = (c: { author: string; created_at: string; text: string }) =>
    `${c.author}\n${c.created_at}\n${c.text}`;
  const have = new Set((await ledger.listComments(issue.id)).map(key));
  return issue.comments.filter((c) => !have.has(key(c)));
}

function diff(before: Bead, issue: ImportedIssue): { changed: string[]; patch: BeadPatch } {
  const patch: BeadPatch = {};
  const changed: string[] = [];
  const field = <K extends 'title' | 'description' | 'acceptance_criteria' | 'priority' | 'assignee'>(
    k: K,
  ) => {
    if ((before[k] as unknown) === issue[k]) return;
    (patch as Record<string, unknown>)[k] = issue[k];
    changed.push(k);
  };
  field('title');
  field('description');
  field('acceptance_criteria');
  field('priority');
  field('assignee');
  if (before.status !== issue.status || before.close_reason.startsWith(UNDONE)) changed.push('status');
  const add = issue.labels.filter((l) => !before.labels.includes(l));
  const remove = before.labels.filter((l) => !issue.labels.includes(l));
  if (add.length > 0) patch.add_labels = add;
  if (remove.length > 0) patch.remove_labels = remove;
  if (add.length + remove.length > 0) changed.push('labels');
  return { changed, patch };
}

/**
 * The edges the ledger lacks. One edge per pair: a pair the ledger links already is left as it
 * is (a `related` there is an earlier import's answer to a refused edge). An edge our rules
 * refuse becomes `related` and is listed.
 */
async function planEdges(
  ledger: Ledger,
  issues: readonly ImportedIssue[],
  existing: ReadonlyMap<string, Bead>,
  warnings: string[],
): Promise<EdgePlan[]> {
  const inFile = new Map(issues.map((i) => [i.id, i]));
  const typeOf = (id: string) => inFile.get(id)?.issue_type ?? existing.get(id)?.issue_type;
  const plans: EdgePlan[] = [];
  for (const issue of issues) {
    if (issue.edges.length === 0) continue;
    const before = existing.get(issue.id);
    const linked = new Map(
      (before ? await ledger.dependenciesOf(issue.id) : []).map((d) => [d.depends_on_id, d.type]),
    );
    let parent = before?.parent ?? null;
    for (const edge of issue.edges) {
      const targetType = typeOf(edge.depends_on_id);
      if (targetType === undefined) {
        warnings.push(
          `${issue.id}: ${edge.type} edge to ${edge.depends_on_id} not imported: ${edge.depends_on_id} is neither in the file nor in the ledger`,
        );
        continue;
      }
      const has = linked.get(edge.depends_on_id);
      if (has !== undefined) {
        if (has !== edge.type && has !== 'related')
          warnings.push(
            `${issue.id}: edge to ${edge.depends_on_id} kept as ${has} (the file says ${edge.type})`,
          );
        continue;
      }
      const why = legacyRefusal({ issue_type: issue.issue_type, parent }, { issue_type: targetType }, edge);
      if (why) warnings.push(`${issue.id} → ${edge.depends_on_id}: ${edge.type} imported as related: ${why}`);
      const type: DepType = why ? 'related' : edge.type;
      if (type === 'parent-child') parent = edge.depends_on_id;
      linked.set(edge.depends_on_id, type);
      plans.push({ source: issue.id, edge, type });
    }
  }
  // Parents first: the hierarchy is what the other edges are judged against (a parent that
  // depends on its own child is the cycle, not the child's parent edge).
  return [
    ...plans.filter((p) => p.type === 'parent-child'),
    ...plans.filter((p) => p.type !== 'parent-child'),
  ];
}
