import { describe, expect, it } from 'vitest';
import type { OutputParser } from '../../src/domain/agent-output.ts';
import { parserFor } from '../../src/domain/runtimes/index.ts';
import { expectChunkingIrrelevant, ofKind, parseChunks, runFake } from './parser-harness.ts';

/** OpenCode, Amp, Cursor Agent and Copilot CLI, read from the fakes' output (reference §1.4–1.7). */
const now = () => new Date('2026-12-05T10:00:00Z');
const make = (runtime: string) => () => parserFor(runtime, { now }) as OutputParser;
const parse = (runtime: string, text: string) => parseChunks(make(runtime)(), text);
const inHours = (h: number) => new Date(now().getTime() + h * 3_600_000).toISOString();

describe('the OpenCode parser', () => {
  it('reads each step’s tokens and dollars, to be added up (T4)', () => {
    const events = parse('opencode', runFake('opencode', 'usage').stdout);
    const step = {
      kind: 'usage',
      usage: {
        input_tokens: 900,
        output_tokens: 120,
        cache_read_tokens: 4000,
        cache_write_tokens: 0,
        model: null,
        cost_usd: 0.012,
      },
      cumulative: false,
      session: 's-1',
    };
    expect(events).toEqual([step, step, { kind: 'result', ok: true, message: null, session: 's-1' }]);
  });

  it('reads a provider limit from its error, with or without a reset, and fails the run', () => {
    const limited = parse('opencode', runFake('opencode', 'limit').stdout);
    expect(ofKind(limited, 'limit')).toEqual([expect.objectContaining({ reset_at: inHours(1 / 3) })]);
    expect(ofKind(limited, 'result')).toEqual([expect.objectContaining({ ok: false })]);
    expect(ofKind(parse('opencode', runFake('opencode', 'limit-no-reset').stdout), 'limit')).toEqual([
      { kind: 'limit', reset_at: null, message: 'Provider quota exceeded for this key.' },
    ]);
  });

  it('gives the same events however the stream is cut', () => {
    for (const scenario of ['usage', 'limit', 'malformed'])
      expectChunkingIrrelevant(make('opencode'), runFake('opencode', scenario).stdout, 15);
  });
});

describe('the Amp parser (Claude’s shapes, no cost)', () => {
  it('reads the result’s tokens as running totals without dollars', () => {
    expect(ofKind(parse('amp', runFake('amp', 'usage').stdout), 'usage')).toEqual([
      {
        kind: 'usage',
        usage: {
          input_tokens: 20,
          output_tokens: 400,
          cache_read_tokens: 6000,
          cache_write_tokens: 1000,
          model: null,
          cost_usd: null,
        },
        cumulative: true,
        session: 's-1',
      },
    ]);
    const resumed = ofKind(parse('amp', runFake('amp', 'resume').stdout), 'usage');
    expect(resumed.map((u) => u.usage.output_tokens)).toEqual([400, 800]);
  });

  it('reads an error result that reads like a limit as one', () => {
    const limit = ofKind(parse('amp', runFake('amp', 'limit').stdout), 'limit');
    expect(limit).toEqual([
      expect.objectContaining({ message: expect.stringContaining('Rate limit reached') }),
    ]);
    expect(limit[0]?.reset_at).toMatch(/^2026-12-05T22:00:00.000Z$/); // 5pm New York
    expectChunkingIrrelevant(make('amp'), runFake('amp', 'malformed').stdout, 10);
  });
});

describe('the Cursor Agent parser', () => {
  it('reads the result only: no tokens, no cost, and a limit on stderr is not read', () => {
    expect(parse('cursor', runFake('cursor', 'usage').stdout)).toEqual([
      { kind: 'result', ok: true, message: 'done', session: 's-1' },
    ]);
    const limited = runFake('cursor', 'limit');
    expect(limited.code).toBe(1);
    expect(limited.stderr).toMatch(/usage limit/);
    expect(parse('cursor', limited.stdout)).toEqual([]);
    expectChunkingIrrelevant(make('cursor'), runFake('cursor', 'malformed').stdout, 10);
  });
});

describe('the Copilot CLI parser', () => {
  it('reads the result; premium requests are not tokens, so no usage', () => {
    expect(parse('copilot', runFake('copilot', 'usage').stdout)).toEqual([
      { kind: 'result', ok: true, message: null, session: 's-1' },
    ]);
  });

  it('reads "402 You have no quota" as a limit without reset, and a rate limit with one (T13)', () => {
    const run = runFake('copilot', 'limit');
    expect(run.code).toBe(1);
    expect(parse('copilot', run.stdout)).toEqual([
      { kind: 'limit', reset_at: null, message: '✗ 402 You have no quota' },
    ]);
    expect(ofKind(parse('copilot', runFake('copilot', 'limit-reset').stdout), 'limit')).toEqual([
      expect.objectContaining({ reset_at: inHours(2) }),
    ]);
    expectChunkingIrrelevant(make('copilot'), runFake('copilot', 'malformed').stdout, 10);
  });
});

describe('every preset’s fake', () => {
  it('survives junk, huge output and a crash without a thrown error', () => {
    for (const runtime of ['opencode', 'amp', 'cursor', 'copilot']) {
      for (const scenario of ['malformed', 'huge', 'crash', 'resume']) {
        const run = runFake(runtime, scenario, { FAKE_HUGE_MB: '2', FAKE_HUGE_LINES: '100' });
        const events = parse(runtime, run.stdout);
        if (scenario === 'huge') expect(ofKind(events, 'unreadable')).toHaveLength(1);
        if (scenario === 'crash') expect(run.signal).toBe('SIGKILL');
      }
    }
  });
});
