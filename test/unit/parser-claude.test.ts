import { describe, expect, it } from 'vitest';
import { parserFor } from '../../src/domain/runtimes/index.ts';
import { expectChunkingIrrelevant, ofKind, parseChunks, runFake } from './parser-harness.ts';

/** Claude Code's stream-json, read from the fake CLI's output for every scenario of reference §5. */
const now = () => new Date('2026-12-05T06:00:00Z');
const parse = (text: string) =>
  parseChunks(parserFor('claude', { now }) as NonNullable<ReturnType<typeof parserFor>>, text);
const make = () => parserFor('claude', { now }) as NonNullable<ReturnType<typeof parserFor>>;

/** Result A of the reference: its modelUsage totals and the CLI's own dollars. */
const RESULT_A = {
  input_tokens: 30,
  output_tokens: 2600,
  cache_read_tokens: 95000,
  cache_write_tokens: 9500,
  model: 'claude-sonnet-5',
  cost_usd: 0.4213,
};

describe('the Claude Code parser', () => {
  it('reads a normal run: the result’s totals with the CLI’s cost, once, as the session’s running total (T1)', () => {
    const run = runFake('claude', 'usage');
    expect(run.code).toBe(0);
    expect(parse(run.stdout)).toEqual([
      { kind: 'usage', usage: RESULT_A, cumulative: true, session: 's-1' },
      { kind: 'result', ok: true, message: 'done', session: 's-1' },
    ]);
  });

  it('gives the same events however the stream is cut', () => {
    for (const scenario of ['usage', 'limit', 'resume', 'malformed', 'denied'])
      expectChunkingIrrelevant(make, runFake('claude', scenario).stdout, 15);
  });

  it('reads a subscription limit: rejected with resetsAt, the synthetic message, the 429 result (T5)', () => {
    const run = runFake('claude', 'limit', { FAKE_RESETS_AT: '1765000000' });
    expect(run.code).toBe(1);
    const events = parse(run.stdout);
    expect(ofKind(events, 'limit')).toEqual([
      { kind: 'limit', reset_at: '2025-12-06T05:46:40.000Z', message: 'usage limit reached (five_hour)' },
      // The text's "9am (Europe/Berlin)": the next 09:00 there, 08:00 UTC in winter.
      {
        kind: 'limit',
        reset_at: '2026-12-05T08:00:00.000Z',
        message: "You've hit your session limit · resets 9am (Europe/Berlin)",
      },
      {
        kind: 'limit',
        reset_at: '2026-12-05T08:00:00.000Z',
        message: "You've hit your session limit · resets 9am (Europe/Berlin)",
      },
    ]);
    expect(ofKind(events, 'usage')).toEqual([]);
    expect(ofKind(events, 'result')).toEqual([
      {
        kind: 'result',
        ok: false,
        message: "You've hit your session limit · resets 9am (Europe/Berlin)",
        session: 's-1',
      },
    ]);
  });

  it('resolves a text reset to its next occurrence, tomorrow once today’s has passed (T6)', () => {
    const run = runFake('claude', 'limit-text');
    const late = parseChunks(
      parserFor('claude', { now: () => new Date('2026-12-05T10:00:00Z') }) as never,
      run.stdout,
    );
    expect(ofKind(late, 'limit').map((l) => l.reset_at)).toEqual([
      '2026-12-06T08:00:00.000Z',
      '2026-12-06T08:00:00.000Z',
    ]);
    // Without a clock the limit is still seen, only its time is unknown.
    const clockless = parseChunks(parserFor('claude') as never, run.stdout);
    expect(ofKind(clockless, 'limit').map((l) => l.reset_at)).toEqual([null, null]);
  });

  it('reads a 429 without a reset time as a limit with none (limit without reset)', () => {
    const events = parse(runFake('claude', 'limit-no-reset').stdout);
    expect(ofKind(events, 'limit')).toEqual([
      { kind: 'limit', reset_at: null, message: 'API Error: Rate limit reached' },
    ]);
  });

  it('takes neither a near-limit warning nor transient retries for a limit (T10, T11)', () => {
    for (const scenario of ['near', 'retry']) {
      const events = parse(runFake('claude', scenario).stdout);
      expect(ofKind(events, 'limit')).toEqual([]);
      expect(ofKind(events, 'usage')).toHaveLength(1);
    }
  });

  it('reads a budget stop and a login failure as failed results, not limits (T12, T20)', () => {
    expect(parse(runFake('claude', 'budget').stdout)).toEqual([
      {
        kind: 'usage',
        usage: {
          ...RESULT_A,
          input_tokens: 0,
          output_tokens: 0,
          cache_read_tokens: 0,
          cache_write_tokens: 0,
          cost_usd: 2.01,
          model: null,
        },
        cumulative: true,
        session: 's-1',
      },
      { kind: 'result', ok: false, message: 'budget', session: 's-1' },
    ]);
    expect(parse(runFake('claude', 'auth').stdout)).toEqual([
      { kind: 'result', ok: false, message: 'Not logged in · Please run /login', session: 's-1' },
    ]);
  });

  it('skips junk, counts it as unreadable and still reads the result split across writes (T15)', () => {
    const events = parse(runFake('claude', 'malformed').stdout);
    expect(ofKind(events, 'unreadable').map((e) => e.reason)).toEqual([
      expect.stringMatching(/^not JSON: "\{\\"type\\":\\"assistant\\"/),
      'not JSON: "not json"',
      'not a JSON object: "1"',
      'not a JSON object: "2"',
      'not a JSON object: "3"',
      'not a JSON object: "\\"a string\\""',
    ]);
    expect(ofKind(events, 'usage')).toEqual([
      { kind: 'usage', usage: RESULT_A, cumulative: true, session: 's-1' },
    ]);
  });

  it('drops a 20 MB line as one unreadable event and reads on (T16)', () => {
    const run = runFake('claude', 'huge', { FAKE_HUGE_LINES: '20000' });
    const events = parse(run.stdout);
    expect(ofKind(events, 'unreadable')).toEqual([
      {
        kind: 'unreadable',
        reason: expect.stringMatching(
          /^line over 1048576 characters dropped, starting "\{\\"type\\":\\"user\\"/,
        ),
      },
    ]);
    expect(ofKind(events, 'usage')).toHaveLength(1);
    expect(ofKind(events, 'result')).toHaveLength(1);
  });

  it('reports a resumed session’s growing totals, for the ledger to book the difference (T17)', () => {
    const usages = ofKind(parse(runFake('claude', 'resume').stdout), 'usage');
    expect(usages.map((u) => [u.usage.cost_usd, u.usage.output_tokens, u.cumulative, u.session])).toEqual([
      [0.4, 2600, true, 's-1'],
      [0.55, 5200, true, 's-1'],
    ]);
  });

  it('counts a call streamed over several lines once: only the result counts (T18)', () => {
    expect(ofKind(parse(runFake('claude', 'dupes').stdout), 'usage')).toEqual([
      { kind: 'usage', usage: RESULT_A, cumulative: true, session: 's-1' },
    ]);
  });

  it('reports nothing spent for a run killed before its result: unknown, not 0 (T19)', () => {
    const run = runFake('claude', 'crash');
    expect(run.signal).toBe('SIGKILL');
    expect(parse(run.stdout)).toEqual([]);
  });

  it('keeps a permission denial’s run as a result (T9)', () => {
    const events = parse(runFake('claude', 'denied').stdout);
    expect(ofKind(events, 'result')).toEqual([
      { kind: 'result', ok: true, message: 'I could not remove the build directory.', session: 's-1' },
    ]);
    expect(ofKind(events, 'usage')[0]?.usage).toMatchObject({ cost_usd: 0.05, output_tokens: 300 });
  });

  it('accepts the json format’s array of messages, and a result whose usage has no modelUsage', () => {
    const line = JSON.stringify([
      { type: 'system', subtype: 'init', session_id: 's-9', model: 'claude-opus-4-5' },
      {
        type: 'result',
        subtype: 'success',
        is_error: false,
        result: 'ok',
        total_cost_usd: 0.1,
        usage: { input_tokens: 5, output_tokens: 7 },
      },
    ]);
    expect(parse(`${line}\n`)).toEqual([
      {
        kind: 'usage',
        usage: {
          input_tokens: 5,
          output_tokens: 7,
          cache_read_tokens: 0,
          cache_write_tokens: 0,
          model: 'claude-opus-4-5',
          cost_usd: 0.1,
        },
        cumulative: true,
        session: 's-9',
      },
      { kind: 'result', ok: true, message: 'ok', session: 's-9' },
    ]);
  });

  it('never throws on hostile shapes: wrong types read as absent', () => {
    const lines = [
      {
        type: 'result',
        modelUsage: { m: null, n: 'x', o: { inputTokens: -5, outputTokens: 'many', costUSD: Number.NaN } },
      },
      { type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt: 'soon' } },
      { type: 'assistant', error: 'rate_limit', message: { content: 42 } },
      { type: 'result', result: { nested: true }, usage: [1, 2] },
    ];
    const events = parse(lines.map((l) => JSON.stringify(l)).join('\n'));
    expect(ofKind(events, 'limit').map((l) => l.reset_at)).toEqual([null, null]);
    expect(ofKind(events, 'result')).toHaveLength(2);
  });
});
