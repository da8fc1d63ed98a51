import { type IssueType, type Priority, STATUSES, type Status, SYSTEM_TYPES, WORK_TYPES } from './bead.ts';
import { mapEdge } from './beads-jsonl-edges.ts';
import type { DepType, WaitsForGate } from './dependency.ts';
import { DomainError, usageError } from './errors.ts';
import { CONVOY_PREFIX } from './ids.ts';
import {
  MAX_LABEL,
  parseAssignee,
  parseDescription,
  parseId,
  parsePriority,
  parseTitle,
} from './validation.ts';

/**
 * beads' JSONL export (`.beads/issues.jsonl`, beads.md §1.2, §6.1): one issue object a line,
 * with its `labels`, `dependencies` (edge records) and `comments`. Parsing checks every line
 * before anything is written, and maps upstream's richer model onto ours:
 *  - a type we lack becomes `task` plus a label `beads-type:<t>` (export gives the type back);
 *  - a status we lack becomes `open` plus `beads-status:<s>` (`tombstone` is `closed`);
 *  - an assignee our rules refuse (upstream's `rig/polecats/Name`) becomes `beads-assignee:<a>`;
 *  - `design` and `notes`, which we lack, are appended to the description under headings.
 * Edge types are mapped in beads-jsonl-edges.ts.
 */

export const TYPE_LABEL = 'beads-type:';
export const STATUS_LABEL = 'beads-status:';
export const ASSIGNEE_LABEL = 'beads-assignee:';

export interface ImportedEdge {
  depends_on_id: string;
  type: DepType;
  /** The type the file gave, when it differs from `type` (a mapped one). */
  file_type?: string;
  gate?: WaitsForGate;
  created_at: string;
  created_by: string;
}

export interface ImportedComment {
  author: string;
  text: string;
  created_at: string;
}

/** One line of the file, checked and mapped onto our model. */
export interface ImportedIssue {
  line: number;
  id: string;
  title: string;
  description: string;
  acceptance_criteria: string;
  status: Status;
  priority: Priority;
  issue_type: IssueType;
  assignee: string | null;
  labels: string[];
  created_at: string;
  created_by: string;
  updated_at: string;
  closed_at: string | null;
  close_reason: string;
  comments: ImportedComment[];
  edges: ImportedEdge[];
}

export interface ParsedImport {
  issues: ImportedIssue[];
  /** What was mapped rather than kept as it was (a type, a status, an edge), one line each. */
  warnings: string[];
}

/** Errors reported at most, so a wholly wrong file does not make a reply too big to send. */
const MAX_ERRORS = 20;

/**
 * Parses a whole file; throws one usage error listing the bad lines. `firstLine`: the number of
 * the text's first line in the file (a part of a file sent in batches says where it starts).
 */
export function parseBeadsJsonl(text: string, firstLine = 1): ParsedImport {
  const issues: ImportedIssue[] = [];
  const warnings: string[] = [];
  const errors: string[] = [];
  const seen = new Map<string, number>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && errors.length < MAX_ERRORS; i++) {
    const raw = (lines[i] as string).trim();
    if (raw === '') continue;
    const line = i + firstLine;
    try {
      const issue = parseLine(raw, line, warnings);
      const first = seen.get(issue.id);
      if (first !== undefined) throw usageError('duplicate_id', `${issue.id} is already on line ${first}`);
      seen.set(issue.id, line);
      issues.push(issue);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      errors.push(`line ${line}: ${err.message}`);
    }
  }
  if (errors.length > 0)
    throw usageError(
      'invalid_jsonl',
      `the file has bad lines, nothing was imported; fix them and run it again:\n${errors.join('\n')}`,
      { errors },
    );
  if (issues.length === 0)
    throw usageError('invalid_jsonl', 'the file holds no issues; give a beads JSONL export (bd export)');
  return { issues, warnings };
}

type Obj = Record<string, unknown>;

function parseLine(raw: string, line: number, warnings: string[]): ImportedIssue {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw usageError('invalid_jsonl', `not JSON (${(err as Error).message}); give one issue object a line`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw usageError('invalid_jsonl', 'not a JSON object; give one issue object a line');
  const o = value as Obj;
  const id = parseId(o.id, 'issue');
  const labels: string[] = [];
  const note = (what: string) => warnings.push(`line ${line} (${id}): ${what}`);
  const issueType = mapType(o.issue_type, id, labels, note);
  const status = mapStatus(o.status, id, labels, note);
  const assignee = mapAssignee(o.assignee, labels, note);
  for (const label of arrayOf(o.labels, 'labels')) labels.push(cleanLabel(label, note));
  const created_at = time(o.created_at, 'created_at');
  if (created_at === null) throw usageError('invalid_jsonl', 'created_at is missing; use an RFC 3339 time');
  const updated_at = time(o.updated_at, 'updated_at') ?? created_at;
  const closed_at = status === 'closed' ? (time(o.closed_at, 'closed_at') ?? updated_at) : null;
  return {
    line,
    id,
    title: parseTitle(o.title),
    description: withSections(parseDescription(o.description), o),
    acceptance_criteria: parseDescription(o.acceptance_criteria),
    status,
    priority: o.priority === undefined || o.priority === null ? 2 : parsePriority(o.priority),
    issue_type: issueType,
    assignee,
    labels: [...new Set(labels)],
    created_at,
    created_by: text(o.created_by, 'created_by'),
    updated_at,
    closed_at,
    close_reason: status === 'closed' ? text(o.close_reason, 'close_reason') : '',
    comments: arrayOf(o.comments, 'comments').map(parseComment),
    edges: arrayOf(o.dependencies, 'dependencies').flatMap((d) => parseEdge(d, id, note)),
  };
}

function mapType(raw: unknown, id: string, labels: string[], note: (w: string) => void): IssueType {
  const t = raw === undefined || raw === null || raw === '' ? 'task' : text(raw, 'issue_type').toLowerCase();
  const alias: Record<string, string> = {
    enhancement: 'feature',
    feat: 'feature',
    dec: 'decision',
    adr: 'decision',
  };
  const ours = alias[t] ?? t;
  if ((WORK_TYPES as readonly string[]).includes(ours)) return ours as IssueType;
  // Convoys live in the town under hq-cv-; escalations are only ever ours (a round trip).
  if (ours === 'convoy' && id.startsWith(`${CONVOY_PREFIX}-`)) return 'convoy';
  if ((SYSTEM_TYPES as readonly string[]).includes(ours) && ours !== 'convoy') return ours as IssueType;
  labels.push(`${TYPE_LABEL}${ours}`);
  note(`type ${ours} is not one of ours: imported as task with label ${TYPE_LABEL}${ours}`);
  return 'task';
}

function mapStatus(raw: unknown, id: string, labels: string[], note: (w: string) => void): Status {
  const s = raw === undefined || raw === null || raw === '' ? 'open' : text(raw, 'status').toLowerCase();
  if ((STATUSES as readonly string[]).includes(s)) {
    if ((s === 'staged_ready' || s === 'staged_warnings') && !id.startsWith(`${CONVOY_PREFIX}-`)) {
      labels.push(`${STATUS_LABEL}${s}`);
      return 'open';
    }
    return s as Status;
  }
  if (s === 'tombstone') return 'closed';
  labels.push(`${STATUS_LABEL}${s}`);
  note(`status ${s} is not one of ours: imported as open with label ${STATUS_LABEL}${s}`);
  return 'open';
}

function mapAssignee(raw: unknown, labels: string[], note: (w: string) => void): string | null {
  try {
    return parseAssignee(raw);
  } catch {
    const shown = text(raw, 'assignee');
    labels.push(cleanLabel(`${ASSIGNEE_LABEL}${shown}`, note));
    note(
      `assignee ${shown} is not an address we accept: kept as label ${ASSIGNEE_LABEL}${shown}, unassigned`,
    );
    return null;
  }
}

/** Upstream only trims labels; ours may not hold spaces or commas, so those become `-`. */
function cleanLabel(raw: unknown, note: (w: string) => void): string {
  const label = text(raw, 'label').trim();
  if (label === '') throw usageError('invalid_jsonl', 'a label is empty; drop it');
  const clean = label.replace(/[\s,]+/g, '-');
  if (clean.length > MAX_LABEL)
    throw usageError('invalid_jsonl', `label ${JSON.stringify(label)} exceeds ${MAX_LABEL} characters`);
  if (clean !== label) note(`label ${JSON.stringify(label)} imported as ${clean} (no spaces or commas)`);
  return clean;
}

/** Upstream's design and notes fields have no home here: they go under headings in the description. */
function withSections(description: string, o: Obj): string {
  const parts = [description];
  for (const [field, heading] of [
    ['design', 'Design'],
    ['notes', 'Notes'],
  ] as const) {
    const body = text(o[field], field);
    if (body !== '') parts.push(`## ${heading}\n\n${body}`);
  }
  return parseDescription(parts.filter((p) => p !== '').join('\n\n'));
}

function parseComment(raw: unknown): ImportedComment {
  if (typeof raw !== 'object' || raw === null)
    throw usageError('invalid_jsonl', 'a comment is not an object');
  const c = raw as Obj;
  const created_at = time(c.created_at, 'comment created_at');
  if (created_at === null)
    throw usageError('invalid_jsonl', 'a comment has no created_at; use an RFC 3339 time');
  const body = text(c.text, 'comment text');
  if (body.trim() === '') throw usageError('invalid_jsonl', 'a comment has no text; drop it or give text');
  return { author: text(c.author, 'comment author'), text: body, created_at };
}

function parseEdge(raw: unknown, id: string, note: (w: string) => void): ImportedEdge[] {
  if (typeof raw !== 'object' || raw === null)
    throw usageError('invalid_jsonl', 'a dependency is not an object');
  const d = raw as Obj;
  if (d.issue_id !== undefined && d.issue_id !== id)
    throw usageError(
      'invalid_jsonl',
      `a dependency has issue_id ${String(d.issue_id)}; only ${id}'s own edges belong on its line`,
    );
  const target = text(d.depends_on_id, 'depends_on_id');
  const created_at = time(d.created_at, 'dependency created_at');
  if (created_at === null)
    throw usageError('invalid_jsonl', `the edge to ${target} has no created_at; use an RFC 3339 time`);
  return mapEdge(
    {
      id,
      target,
      type: text(d.type, 'dependency type') || 'blocks',
      metadata: d.metadata,
      created_at,
      created_by: text(d.created_by, 'created_by'),
    },
    note,
  );
}

export function text(raw: unknown, field: string): string {
  if (raw === undefined || raw === null) return '';
  if (typeof raw !== 'string')
    throw usageError('invalid_jsonl', `${field} must be text, not ${JSON.stringify(raw)}`);
  return raw;
}

function arrayOf(raw: unknown, field: string): unknown[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw usageError('invalid_jsonl', `${field} must be an array`);
  return raw;
}

/** RFC 3339 in any offset and precision, as UTC ISO with milliseconds (our stored form). */
export function time(raw: unknown, field: string): string | null {
  if (raw === undefined || raw === null || raw === '') return null;
  if (typeof raw !== 'string') throw usageError('invalid_jsonl', `${field} must be an RFC 3339 time`);
  // Upstream writes nanoseconds; Date reads at most milliseconds.
  const trimmed = raw.replace(/(\.\d{3})\d+/, '$1');
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(ms))
    throw usageError(
      'invalid_jsonl',
      `${field} ${JSON.stringify(raw)} is not a time; use RFC 3339, e.g. 2026-01-31T12:00:00Z`,
    );
  return new Date(ms).toISOString();
}
