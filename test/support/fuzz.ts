import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import fc from 'fast-check';

/**
 * Shared pieces of the bad-input fuzz tests (issue 8 item 3): how many runs, the generators of
 * hostile values, and the checks every answer must pass (the ledger did not move, nothing leaked).
 */

/** `GT_FUZZ_RUNS=10` runs every fuzz property ten times as often (default 1). */
export const FUZZ_SCALE = Math.max(1, Number(process.env.GT_FUZZ_RUNS ?? '1') || 1);
export const runs = (n: number): number => Math.round(n * FUZZ_SCALE);
/** The seed of every property in a file (`GT_FUZZ_SEED=123` replays a failing run). */
export const FUZZ_SEED = process.env.GT_FUZZ_SEED ? Number(process.env.GT_FUZZ_SEED) : undefined;
/**
 * Against live processes a failing input is reported as found (with its seed and path to replay):
 * shrinking re-runs it dozens of times, each up to a timeout. `GT_FUZZ_SHRINK=1` shrinks anyway.
 */
export const fuzzOptions = (numRuns: number) => ({
  numRuns: runs(numRuns),
  endOnFailure: process.env.GT_FUZZ_SHRINK !== '1',
  ...(FUZZ_SEED === undefined ? {} : { seed: FUZZ_SEED }),
});

/** Keys that break code indexing plain objects with untrusted names. */
export const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'length',
  'then',
];

export const protoKey = fc.constantFrom(...PROTO_KEYS);

/** Strings that hurt: empty, unicode of every plane, control characters, operators, long runs. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: protoKey },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\u0000',
      '\uFEFF',
      '\uD800',
      '💥'.repeat(30),
      '$gt',
      '{"$ne":null}',
      '../../etc/passwd',
      '<@everyone>',
      '@here',
      'al-1',
      'hq-cv-zz',
      'alpha/Toast',
      '1e309',
      'NaN',
      'null',
    ),
  },
  { weight: 1, arbitrary: fc.nat({ max: 20_000 }).map((n) => 'x'.repeat(n)) },
);

/** Any JSON value, with hostile keys and strings, some deeply nested. */
export const nastyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  {
    weight: 3,
    arbitrary: fc.dictionary(
      fc.oneof(protoKey, nastyString),
      fc.oneof(nastyString, fc.jsonValue({ maxDepth: 2 })),
      {
        maxKeys: 6,
      },
    ),
  },
  { weight: 1, arbitrary: fc.nat({ max: 3000 }).map((depth) => deepNest(depth)) },
  { weight: 1, arbitrary: nastyString },
);

/** `[[[[…]]]]` or `{"a":{"a":…}}` `depth` levels deep. */
export function deepNest(depth: number, kind: 'array' | 'object' = depth % 2 ? 'array' : 'object'): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
}

/** The JSON text of `depth` nested arrays or objects (too deep for JSON.stringify to write). */
export const deepJsonText = (depth: number): string =>
  depth % 2 ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** A JSON text with a `__proto__` key written literally (JSON.stringify never writes one). */
export const withProtoKey = (inner: string): string =>
  `{"__proto__":${inner},"constructor":{"prototype":${inner}}}`;

/** What a response must never show: a stack trace, a file path of ours, or one of our secrets. */
export function leaks(text: string, secrets: readonly string[]): string | null {
  if (/\n\s+at .+:\d+:\d+/.test(text) || /\bat (async )?\S+ \(.*:\d+:\d+\)/.test(text))
    return 'a stack trace';
  if (/\/(src|node_modules)\/\S+\.(ts|js|mjs)/.test(text)) return 'a source path';
  if (/\b(TypeError|ReferenceError|SyntaxError|RangeError)\b/.test(text)) return 'a JavaScript error';
  const secret = secrets.find((s) => s && text.includes(s));
  return secret ? 'a secret' : null;
}

/**
 * A fingerprint of everything a command can change in the SQLite ledger: the event sequence and
 * the size and versions of every state table. Equal fingerprints = nothing changed (refusals may
 * add audit records and remembered request ids; those are not state).
 */
export class LedgerProbe {
  private readonly db: DatabaseSync;

  constructor(home: string) {
    this.db = new DatabaseSync(join(home, 'ledger.db'), { readOnly: true });
  }

  fingerprint(): string {
    const one = (sql: string) => JSON.stringify(this.db.prepare(sql).get());
    return [
      one('SELECT max(seq) AS seq, count(*) AS n FROM events'),
      one('SELECT count(*) AS n, sum(version) AS v FROM beads'),
      one('SELECT count(*) AS n, sum(version) AS v, sum(parked) AS p FROM rigs'),
      one('SELECT count(*) AS n FROM deps'),
      one('SELECT count(*) AS n FROM comments'),
      one('SELECT count(*) AS n FROM mail'),
      one('SELECT count(*) AS n FROM nudges'),
    ].join(' ');
  }

  close(): void {
    this.db.close();
  }
}

/** Whether a process is alive (signal 0 checks without signalling). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
