import { describe, expect, it } from 'vitest';
import type { OutputParser } from '../../src/domain/agent-output.ts';
import { limitFromExit, parserFor, presetFor } from '../../src/domain/runtimes/index.ts';
import { expectChunkingIrrelevant, ofKind, parseChunks, runFake } from './parser-harness.ts';

/** Codex `exec --json` and Gemini CLI stream-json, read from the fakes' output (reference §5). */
const now = () => new Date('2026-12-05T10:00:00Z');
const make = (runtime: string) => () => parserFor(runtime, { now }) as OutputParser;
const parse = (runtime: string, text: string) => parseChunks(make(runtime)(), text);

describe('the Codex parser', () => {
  it('reads the thread’s running totals, the cached part split off the input (T2)', () => {
    const run = runFake('codex', 'usage');
    expect(run.code).toBe(0);
    expect(parse('codex', run.stdout)).toEqual([
      {
        kind: 'usage',
        usage: {
          input_tokens: 200,
          output_tokens: 90,
          cache_read_tokens: 1000,
          cache_write_tokens: 0,
          model: null,
          cost_usd: null,
        },
        cumulative: true,
        session: 's-1',
      },
      { kind: 'result', ok: true, message: 'ok', session: 's-1' },
    ]);
  });

  it('reads a usage limit at a local time, after a duration, on a date, or with none (T7)', () => {
    // The machine's own zone (the CLI printed its local time): compare in local terms.
    const localNext = (h: number, m: number) => {
      const d = new Date(now());
      d.setHours(h, m, 0, 0);
      if (d <= now()) d.setDate(d.getDate() + 1);
      return d.toISOString();
    };
    const resets = (scenario: string) => {
      const run = runFake('codex', scenario);
      expect(run.code).toBe(1);
      const events = parse('codex', run.stdout);
      expect(ofKind(events, 'result')).toEqual([expect.objectContaining({ ok: false })]);
      return ofKind(events, 'limit').map((l) => l.reset_at);
    };
    expect(resets('limit')).toEqual([localNext(15, 28), localNext(15, 28)]);
    const inThreeDays = new Date(now().getTime() + ((3 * 24 + 6) * 60 + 57) * 60_000).toISOString();
    expect(resets('limit-in')).toEqual([inThreeDays, inThreeDays]);
    const aug18 = new Date(2027, 7, 18).toISOString();
    expect(resets('limit-date')).toEqual([aug18, aug18]);
    expect(resets('limit-no-reset')).toEqual([null, null]);
  });

  it('reads a resumed thread as growing totals, and the same events however the stream is cut', () => {
    const usages = ofKind(parse('codex', runFake('codex', 'resume').stdout), 'usage');
    expect(usages.map((u) => [u.usage.input_tokens, u.usage.cache_read_tokens, u.cumulative])).toEqual([
      [200, 1000, true],
      [500, 2500, true],
    ]);
    for (const scenario of ['usage', 'limit', 'resume', 'malformed'])
      expectChunkingIrrelevant(make('codex'), runFake('codex', scenario).stdout, 15);
  });

  it('skips junk and huge lines, and reports nothing for a killed run (T15, T16, T19)', () => {
    const malformed = parse('codex', runFake('codex', 'malformed').stdout);
    expect(ofKind(malformed, 'unreadable').length).toBeGreaterThan(2);
    expect(ofKind(malformed, 'usage')).toHaveLength(1);
    const huge = parse(
      'codex',
      runFake('codex', 'huge', { FAKE_HUGE_MB: '3', FAKE_HUGE_LINES: '1000' }).stdout,
    );
    expect(ofKind(huge, 'unreadable')).toHaveLength(1);
    expect(ofKind(huge, 'usage')).toHaveLength(1);
    expect(parse('codex', runFake('codex', 'crash').stdout)).toEqual([]);
  });

  it('ignores passing errors that are not limits', () => {
    const line = JSON.stringify({ type: 'error', message: 'Reconnecting... 2/5' });
    expect(parse('codex', `${line}\n`)).toEqual([]);
  });
});

describe('the Gemini CLI parser', () => {
  it('reads each model’s tokens of the run, uncached input apart from cached, no cost (T3)', () => {
    expect(parse('gemini', runFake('gemini', 'usage').stdout)).toEqual([
      {
        kind: 'usage',
        usage: {
          input_tokens: 1000,
          output_tokens: 300,
          cache_read_tokens: 4000,
          cache_write_tokens: 0,
          model: 'gemini-3-pro',
          cost_usd: null,
        },
        cumulative: false,
        session: 's-1',
      },
      { kind: 'result', ok: true, message: null, session: 's-1' },
    ]);
  });

  it('reads a terminal quota error as one limit with no reset time, and its exit status as a limit (T14)', () => {
    const run = runFake('gemini', 'limit');
    expect(run.code).toBe(173);
    const events = parse('gemini', run.stdout);
    expect(ofKind(events, 'limit')).toEqual([
      { kind: 'limit', reset_at: null, message: 'You have exhausted your daily quota on this model.' },
    ]);
    expect(ofKind(events, 'result')).toEqual([expect.objectContaining({ ok: false })]);
    // A run that printed nothing readable still says it by its exit status.
    expect(limitFromExit('gemini', 173)).toMatchObject({ kind: 'limit', reset_at: null });
    expect(limitFromExit('gemini', 1)).toBeNull();
    expect(limitFromExit('claude', 173)).toBeNull();
    expect(limitFromExit(null, 173)).toBeNull();
    expect(presetFor('gemini')?.limits.exitCodes).toEqual([173]);
  });

  it('gives the same events however the stream is cut, through junk and huge lines', () => {
    for (const scenario of ['usage', 'limit', 'malformed'])
      expectChunkingIrrelevant(make('gemini'), runFake('gemini', scenario).stdout, 15);
    const huge = parse(
      'gemini',
      runFake('gemini', 'huge', { FAKE_HUGE_MB: '2', FAKE_HUGE_LINES: '100' }).stdout,
    );
    expect(ofKind(huge, 'unreadable')).toHaveLength(1);
    expect(ofKind(huge, 'usage')).toHaveLength(1);
  });

  it('falls back to the run’s own totals when no model breakdown is given', () => {
    const lines = [
      { type: 'init', session_id: 'g', model: 'gemini-2.5-pro' },
      { type: 'result', status: 'success', stats: { input_tokens: 50, cached: 20, output_tokens: 5 } },
    ];
    expect(ofKind(parse('gemini', lines.map((l) => JSON.stringify(l)).join('\n')), 'usage')).toEqual([
      {
        kind: 'usage',
        usage: {
          input_tokens: 30,
          output_tokens: 5,
          cache_read_tokens: 20,
          cache_write_tokens: 0,
          model: 'gemini-2.5-pro',
          cost_usd: null,
        },
        cumulative: false,
        session: 'g',
      },
    ]);
  });
});
