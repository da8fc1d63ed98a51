import { usageError } from './errors.ts';

/**
 * An agent CLI's tool call as people are shown it and rules match it (approval.ts,
 * approval-rules.ts): what it acts on (its subject: the command, the file, the URL), the change
 * itself, and the input cut to what a request may carry.
 */

/** Longest piece of one string of a tool's input kept (a file's whole new content is cut). */
export const MAX_INPUT_STRING = 4_000;
/** The largest input (as JSON) a request carries; the rest is cut, and the request says so. */
export const MAX_INPUT_JSON = 60_000;

/** The tool's input: a JSON object, within MAX_INPUT_JSON characters. */
export function parseToolInput(raw: string): Record<string, unknown> {
  if (raw.length > MAX_INPUT_JSON + 1_000)
    throw usageError(
      'input_too_large',
      `--input is ${raw.length} characters; give at most ${MAX_INPUT_JSON} (cut long strings and pass --truncated)`,
    );
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw usageError(
      'invalid_input',
      '--input must be the tool input as a JSON object, e.g. {"command":"ls"}',
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw usageError('invalid_input', '--input must be a JSON object, e.g. {"command":"ls"}');
  return value as Record<string, unknown>;
}

/**
 * The input as a request carries it: every string over MAX_INPUT_STRING cut (saying how much
 * was left out), and, should that still exceed MAX_INPUT_JSON, only the start of its JSON. The
 * agent's call keeps its whole input: only what people are shown is cut.
 */
export function boundedInput(input: Record<string, unknown>): {
  input: Record<string, unknown>;
  truncated: boolean;
} {
  let truncated = false;
  const cut = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string' && v.length > MAX_INPUT_STRING) {
      truncated = true;
      return `${v.slice(0, MAX_INPUT_STRING)}… [${v.length - MAX_INPUT_STRING} more characters not shown]`;
    }
    if (depth > 20 || typeof v !== 'object' || v === null) return v;
    if (Array.isArray(v)) return v.map((x) => cut(x, depth + 1));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cut(x, depth + 1)]));
  };
  const shown = cut(input, 0) as Record<string, unknown>;
  const json = JSON.stringify(shown);
  if (json.length <= MAX_INPUT_JSON) return { input: shown, truncated };
  return { input: { _preview: `${json.slice(0, MAX_INPUT_JSON - 200)}…` }, truncated: true };
}

/** The field of each built-in tool that says what it acts on: what a card shows first and a rule matches. */
const SUBJECT_FIELD: Readonly<Record<string, string>> = {
  Bash: 'command',
  Edit: 'file_path',
  MultiEdit: 'file_path',
  Write: 'file_path',
  Read: 'file_path',
  NotebookEdit: 'notebook_path',
  WebFetch: 'url',
  WebSearch: 'query',
  Glob: 'pattern',
  Grep: 'pattern',
};

/** Keys sorted at every level: one input, one text, whatever order the agent sent it in. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
  );
}

/**
 * What a call acts on: a shell command, a file, a URL — for any other tool its whole input as
 * canonical JSON. Exactly what a rule compares and what a person reads first.
 */
export function callSubject(tool: string, input: Record<string, unknown>): string {
  const field = Object.hasOwn(SUBJECT_FIELD, tool) ? SUBJECT_FIELD[tool] : undefined;
  const value = field === undefined ? undefined : input[field];
  return typeof value === 'string' ? value : JSON.stringify(canonical(input));
}

/**
 * The rest of the change a person must see to decide (the subject says where): an edit's old and
 * new text as a diff, a new file's content, a notebook cell; null when the subject is all of it.
 */
export function callDetail(tool: string, input: Record<string, unknown>): string | null {
  const text = (k: string) => (typeof input[k] === 'string' ? (input[k] as string) : null);
  const diff = (before: string | null, after: string | null) =>
    [...lines(before, '-'), ...lines(after, '+')].join('\n');
  if (tool === 'Edit') return diff(text('old_string'), text('new_string'));
  if (tool === 'MultiEdit' && Array.isArray(input.edits))
    return input.edits
      .map((e: { old_string?: unknown; new_string?: unknown }) =>
        diff(
          typeof e?.old_string === 'string' ? e.old_string : null,
          typeof e?.new_string === 'string' ? e.new_string : null,
        ),
      )
      .join('\n…\n');
  if (tool === 'Write') return text('content');
  if (tool === 'NotebookEdit') return text('new_source');
  if (Object.hasOwn(SUBJECT_FIELD, tool)) {
    // The subject is shown; anything else the call carries (Bash's timeout, Grep's path) too.
    const { [SUBJECT_FIELD[tool] as string]: _, description: __, ...rest } = input;
    return Object.keys(rest).length ? JSON.stringify(canonical(rest), null, 2) : null;
  }
  return JSON.stringify(canonical(input), null, 2);
}

const lines = (s: string | null, mark: string): string[] =>
  s === null ? [] : s.split('\n').map((l) => `${mark} ${l}`);
