import { AGENT_ADDRESS_RULE, isAgentAddress } from './agent-address.ts';
import { type IssueType, type Priority, STATUSES, type Status, WORK_TYPES } from './bead.ts';
import { usageError } from './errors.ts';

/** Input checks shared by every interface. Each error names the problem and the fix. */

export const MAX_TITLE = 500;
export const MAX_DESCRIPTION = 100_000;
export const MAX_LABEL = 100;

const TYPE_ALIASES: Record<string, IssueType> = {
  enhancement: 'feature',
  feat: 'feature',
  dec: 'decision',
  adr: 'decision',
};

export function parseTitle(raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw usageError('invalid_title', 'title is empty; give the bead a title, e.g. bd create "Fix login"');
  }
  const title = raw.trim();
  if (title.length > MAX_TITLE) {
    throw usageError(
      'invalid_title',
      `title is ${title.length} characters; the limit is ${MAX_TITLE}: shorten it`,
    );
  }
  return title;
}

export function parseDescription(raw: unknown): string {
  if (raw === undefined || raw === null) return '';
  if (typeof raw !== 'string') throw usageError('invalid_description', 'description must be text');
  if (raw.length > MAX_DESCRIPTION) {
    throw usageError('invalid_description', `description exceeds ${MAX_DESCRIPTION} characters; shorten it`);
  }
  return raw;
}

/** Accepts 0..4 and P0..P4 (upstream's spellings). */
export function parsePriority(raw: unknown): Priority {
  const text = String(raw).trim().toUpperCase().replace(/^P/, '');
  const n = Number(text);
  if (text === '' || !Number.isInteger(n) || n < 0 || n > 4) {
    throw usageError(
      'invalid_priority',
      `priority ${JSON.stringify(raw)} is out of range; use 0 (highest) to 4 (lowest)`,
    );
  }
  return n as Priority;
}

export function parseWorkType(raw: unknown): IssueType {
  const text = String(raw).trim().toLowerCase();
  const type = TYPE_ALIASES[text] ?? text;
  if ((WORK_TYPES as readonly string[]).includes(type)) return type as IssueType;
  if (type === 'convoy') {
    throw usageError(
      'invalid_type',
      'convoys are created with `gt convoy create`, not `bd create -t convoy`',
    );
  }
  throw usageError(
    'invalid_type',
    `unknown type ${JSON.stringify(raw)}; use one of: ${WORK_TYPES.join(', ')}`,
  );
}

export function parseStatus(raw: unknown): Status {
  const text = String(raw).trim().toLowerCase();
  if ((STATUSES as readonly string[]).includes(text)) return text as Status;
  throw usageError(
    'invalid_status',
    `unknown status ${JSON.stringify(raw)}; use one of: ${STATUSES.join(', ')}`,
  );
}

export function parseLabel(raw: unknown): string {
  const label = typeof raw === 'string' ? raw.trim() : '';
  if (label === '') throw usageError('invalid_label', 'label is empty; give a label such as "backend"');
  if (label.length > MAX_LABEL) throw usageError('invalid_label', `label exceeds ${MAX_LABEL} characters`);
  if (/[\s,]/.test(label))
    throw usageError('invalid_label', `label ${JSON.stringify(label)} may not contain spaces or commas`);
  return label;
}

/** Normalises a label list: trim, drop empties, dedupe, keep first-seen order. */
export const parseLabels = (raw: readonly unknown[]): string[] => [
  ...new Set(raw.filter((l) => typeof l === 'string' && l.trim() !== '').map(parseLabel)),
];

/**
 * Ids are plain tokens. Anything else (an object smuggled in as `{"$gt":""}`, whitespace, dots
 * beyond the child-id form) is refused before it reaches a query.
 */
const ID_PATTERN = /^[a-z][a-z0-9-]{0,30}-[0-9a-z]{1,12}(\.[0-9]{1,6}){0,3}$/i;

export function parseId(raw: unknown, what = 'bead'): string {
  if (typeof raw !== 'string' || !ID_PATTERN.test(raw)) {
    const shown = typeof raw === 'string' ? raw : JSON.stringify(raw);
    throw usageError('invalid_id', `${shown} is not a valid ${what} id; ids look like gt-a1b or hq-cv-3k9`);
  }
  return raw.toLowerCase();
}

/** An agent (`myrig/Toast`, checked as agent addresses are) or a person's handle (`alice`, `slack:U1`). */
export function parseAssignee(raw: unknown): string | null {
  if (raw === null || raw === undefined || raw === '') return null;
  if (typeof raw !== 'string' || raw.length > 200 || /\s/.test(raw)) {
    throw usageError('invalid_assignee', 'assignee must be an address without spaces, e.g. myrig/Toast');
  }
  if (raw.includes('/') && !isAgentAddress(raw))
    throw usageError(
      'invalid_assignee',
      `assignee ${JSON.stringify(raw)} is not an agent address; use ${AGENT_ADDRESS_RULE}`,
    );
  return raw;
}
