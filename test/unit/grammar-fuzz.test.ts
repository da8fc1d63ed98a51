import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CATALOG, resolveVerb } from '../../src/commands/catalog.ts';
import { verbName } from '../../src/commands/command.ts';
import { parseWords } from '../../src/commands/syntax.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { useCommands } from './command-harness.ts';

/**
 * Issue 8 item 3 (first part): random words through the CLI / slash-command grammar. Whatever is
 * typed, the result is a parsed command or a clear usage error; through the command layer, a
 * refusal never changes the ledger and always says why. Inputs mix real verb words and flags
 * (so many reach the handlers) with ids, numbers, odd flags and arbitrary text.
 */
const VERB_WORDS = [...new Set(CATALOG.flatMap((d) => d.path))];
const FLAGS = [
  ...new Set(CATALOG.flatMap((d) => Object.keys(d.syntax.flags).flatMap((f) => [`--${f}`, `--${f}=x`]))),
  '-t',
  '-p',
  '-d',
  '-l',
  '-s',
  '-m',
  '-r',
  '--',
  '--nope',
  '-',
];
const word = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...VERB_WORDS) },
  { weight: 3, arbitrary: fc.constantFrom(...FLAGS) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'al-abc',
      'al-1',
      'hq-cv-zz',
      'alpha',
      'alpha/Toast',
      'mayor',
      'closed',
      'open',
      'task',
      'blocks',
      '0',
      '4',
      '-1',
      '99',
      '1e3',
      '',
    ),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 5000 }) },
);
/** Mostly a real verb followed by random words (so inputs reach the handlers), sometimes anything. */
const input = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom(...CATALOG.map((d) => d.path)), fc.array(word, { maxLength: 6 }))
      .map(([path, tail]) => [path[0] as string, [...path.slice(1), ...tail]] as [string, string[]]),
  },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('gt', 'bd'), fc.array(word, { maxLength: 8 })) },
);

/** The grammar's verdict on one input: a command with arguments, or a usage error. */
function parse(root: string, words: string[]) {
  const resolved = resolveVerb(root, words);
  if (!resolved) return null;
  return {
    verb: verbName(resolved.def),
    args: parseWords(resolved.rest, resolved.def.syntax, resolved.def.usage),
  };
}

describe('CLI and slash-command grammar under random input', () => {
  it('100,000 inputs: every one parses or fails with a usage error that says what to do', () => {
    fc.assert(
      fc.property(input, ([root, words]) => {
        try {
          parse(root, words);
        } catch (err) {
          expect(err).toBeInstanceOf(DomainError);
          expect((err as DomainError).kind).toBe('usage');
          expect((err as DomainError).message).toMatch(/\S{3,}/);
        }
      }),
      { numRuns: 100_000 },
    );
  }, 120_000);

  const h = useCommands(async (h) => {
    await h.ok('gt rig add', { name: 'alpha', prefix: 'al', 'max-polecats': '2' });
    await h.ok('bd create', { title: 'seed', rig: 'alpha' });
  });

  it('through the command layer: no crash, every refusal explained, and a refusal changes nothing', async () => {
    let refusals = 0;
    await fc.assert(
      fc.asyncProperty(input, async ([root, words]) => {
        let call: ReturnType<typeof parse>;
        try {
          call = parse(root, words);
        } catch {
          return; // a usage error before any call (the property above)
        }
        if (!call) return;
        const [last] = (await h.ledger.eventsSince(0, 1_000_000)).slice(-1);
        const reply = await h.run(call.verb, call.args);
        if (reply.ok) return;
        refusals++;
        expect(['usage', 'refused', 'not_found', 'conflict']).toContain(reply.error.kind);
        expect(reply.error.message).toMatch(/\S{3,}/);
        expect(await h.ledger.eventsSince(last?.seq ?? 0, 10)).toEqual([]);
      }),
      { numRuns: 20_000 },
    );
    expect(refusals).toBeGreaterThan(1_000); // the inputs reached the handlers
  }, 120_000);
});
