import { usageError } from '../domain/errors.ts';

/**
 * The words of a verb: positionals and flags. One declaration drives the CLI and slash-command
 * parser (parseWords) and the check of structured arguments arriving over the API (checkArgs),
 * so `bd create "x" -p 1` typed anywhere means the same thing.
 */
export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Repeatable; comma-separated values are split too (`-l a,b -l c`). */
  list?: boolean;
  /** With `list`: each value is kept whole, commas and all (a shell command: `--gate "x --y=a,b"`). */
  whole?: boolean;
  description: string;
}

export interface PositionalSpec {
  name: string;
  required?: boolean;
  /** Takes all remaining positionals (`bd show <id>…`). */
  variadic?: boolean;
}

export interface Syntax {
  positionals: PositionalSpec[];
  flags: Record<string, FlagSpec>;
}

export type ArgValue = string | boolean | string[];
export type Args = Record<string, ArgValue>;

/** Parses the words after the verb path into named arguments. */
export function parseWords(words: readonly string[], syntax: Syntax, usage: string): Args {
  const args: Args = {};
  const positionals: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (word === '--') {
      positionals.push(...words.slice(i + 1));
      break;
    }
    if (!word.startsWith('-') || word === '-' || /^-\d/.test(word)) {
      positionals.push(word);
      continue;
    }
    const [rawName, inline] = splitInline(word);
    const name = flagName(rawName, syntax, usage);
    const spec = syntax.flags[name] as FlagSpec;
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw usageError('bad_flag', `--${name} takes no value. Usage: ${usage}`);
      args[name] = true;
      continue;
    }
    const value = inline ?? words[++i];
    if (value === undefined) throw usageError('missing_value', `--${name} needs a value. Usage: ${usage}`);
    setFlag(args, name, spec, value);
  }
  assignPositionals(args, positionals, syntax, usage);
  return args;
}

function splitInline(word: string): [string, string | undefined] {
  const eq = word.indexOf('=');
  return eq > 0 ? [word.slice(0, eq), word.slice(eq + 1)] : [word, undefined];
}

function flagName(raw: string, syntax: Syntax, usage: string): string {
  const bare = raw.replace(/^--?/, '');
  if (raw.startsWith('--') && Object.hasOwn(syntax.flags, bare)) return bare;
  if (!raw.startsWith('--')) {
    const match = Object.entries(syntax.flags).find(([, spec]) => spec.short === bare);
    if (match) return match[0];
  }
  throw usageError('unknown_flag', `unknown flag ${raw}. Usage: ${usage}`);
}

function setFlag(args: Args, name: string, spec: FlagSpec, value: string): void {
  if (!spec.list) {
    args[name] = value;
    return;
  }
  const items = spec.whole ? [value] : value.split(',').filter((v) => v !== '');
  args[name] = [...((args[name] as string[] | undefined) ?? []), ...items];
}

function assignPositionals(args: Args, words: string[], syntax: Syntax, usage: string): void {
  let i = 0;
  for (const spec of syntax.positionals) {
    if (spec.variadic) {
      const rest = words.slice(i);
      i = words.length;
      if (spec.required && rest.length === 0)
        throw usageError('missing_argument', `missing <${spec.name}>. Usage: ${usage}`);
      if (rest.length > 0) args[spec.name] = rest;
      continue;
    }
    const word = words[i++];
    if (word === undefined) {
      if (spec.required) throw usageError('missing_argument', `missing <${spec.name}>. Usage: ${usage}`);
      continue;
    }
    args[spec.name] = word;
  }
  if (i < words.length) {
    throw usageError('extra_argument', `unexpected argument ${JSON.stringify(words[i])}. Usage: ${usage}`);
  }
}

/**
 * Checks structured arguments (from the API or a chat payload) against the syntax: known names
 * only, strings where strings belong. This is where `{"id": {"$gt": ""}}` is stopped.
 */
export function checkArgs(raw: unknown, syntax: Syntax, usage: string): Args {
  if (raw === undefined) raw = {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw usageError('malformed_args', 'arguments must be a JSON object of names to values');
  }
  const args: Args = {};
  for (const [name, value] of Object.entries(raw)) {
    const positional = syntax.positionals.find((p) => p.name === name);
    // Own names only: `constructor` or `__proto__` are not flags of any verb.
    const flag = Object.hasOwn(syntax.flags, name) ? syntax.flags[name] : undefined;
    const expectList = positional?.variadic || flag?.list;
    const expectBool = flag?.type === 'boolean';
    if (!positional && !flag)
      throw usageError('unknown_argument', `unknown argument ${JSON.stringify(name)}. Usage: ${usage}`);
    const ok = expectBool
      ? typeof value === 'boolean'
      : expectList
        ? Array.isArray(value) && value.every((v) => typeof v === 'string')
        : typeof value === 'string';
    if (!ok)
      throw usageError(
        'bad_argument_type',
        `argument ${JSON.stringify(name)} has the wrong type. Usage: ${usage}`,
      );
    args[name] = value as ArgValue;
  }
  for (const p of syntax.positionals) {
    if (p.required && args[p.name] === undefined)
      throw usageError('missing_argument', `missing <${p.name}>. Usage: ${usage}`);
  }
  return args;
}
