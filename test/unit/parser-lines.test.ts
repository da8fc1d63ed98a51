import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src/domain/agent-output.ts';
import { PRESETS } from '../../src/domain/runtimes/index.ts';
import { JsonLineParser, MAX_LINE } from '../../src/domain/runtimes/json-lines.ts';
import { limitFromText, resetFromText } from '../../src/domain/runtimes/limit-text.ts';
import { durationMs, epochToIso, nextWallClock } from '../../src/domain/runtimes/reset-time.ts';
import { fuzzOptions } from '../support/fuzz.ts';
import { expectChunkingIrrelevant, parseChunks } from './parser-harness.ts';

/** The line reading every parser shares, and the limit texts and reset times they read. */
const echo = () =>
  new JsonLineParser({
    json: (v) => [{ kind: 'result', ok: true, message: String(v.n), session: null }],
  });
const messages = (events: AgentEvent[]) => events.map((e) => (e.kind === 'result' ? e.message : e.kind));

describe('JSON lines as they stream', () => {
  it('joins a line split across chunks, drops CR of CRLF, reads the unterminated last line at the end', () => {
    const p = echo();
    expect(p.push('{"n":1}\r\n{"n"')).toEqual([{ kind: 'result', ok: true, message: '1', session: null }]);
    expect(p.push(':2}\r')).toEqual([]);
    expect(messages(p.push('\n{"n":3}'))).toEqual(['2']);
    expect(messages(p.end())).toEqual(['3']);
  });

  it('keeps a line of exactly 1 MiB and drops a longer one as one unreadable event, then reads on', () => {
    const pad = (n: number) => `{"n":5,"x":"${'x'.repeat(n - 14)}"}`;
    expect(pad(MAX_LINE)).toHaveLength(MAX_LINE);
    expect(messages(parseChunks(echo(), `${pad(MAX_LINE)}\n`))).toEqual(['5']);
    for (const cuts of [[], [10], [MAX_LINE - 1], [MAX_LINE], [MAX_LINE + 1], [100, 200_000, 900_000]]) {
      const events = parseChunks(echo(), `${pad(MAX_LINE + 1)}\n{"n":6}\n`, cuts);
      expect(messages(events)).toEqual(['unreadable', '6']);
      expect(events[0]).toEqual({
        kind: 'unreadable',
        reason: `line over ${MAX_LINE} characters dropped, starting ${JSON.stringify(pad(MAX_LINE + 1).slice(0, 80))}`,
      });
    }
  });

  it('never holds more than a line’s worth: 8 MiB without a newline, in 64 KiB chunks, then more lines', () => {
    const p = echo();
    const chunk = 'y'.repeat(64 * 1024);
    const events: AgentEvent[] = [];
    for (let i = 0; i < 128; i++) events.push(...p.push(chunk));
    events.push(...p.push('\n{"n":7}\n'), ...p.end());
    expect(messages(events)).toEqual(['unreadable', '7']);
    // What it holds is a private detail; its size is what matters, so look at it once here.
    expect((p as unknown as { pending: string }).pending).toBe('');
  });

  it('reads lines that start with a BOM or colour codes, skips blank ones, reports text and non-objects', () => {
    const events = parseChunks(
      echo(),
      '\uFEFF{"n":1}\n\u001b[32m{"n":2}\u001b[0m\n\n   \nhello\n42\n[{"n":3},7]\n',
    );
    expect(events).toEqual([
      { kind: 'result', ok: true, message: '1', session: null },
      { kind: 'result', ok: true, message: '2', session: null },
      { kind: 'unreadable', reason: 'not JSON: "hello"' },
      { kind: 'unreadable', reason: 'not a JSON object: "42"' },
      { kind: 'result', ok: true, message: '3', session: null },
      { kind: 'unreadable', reason: 'not a JSON object: "7"' },
    ]);
  });

  it('turns a reader that throws into an unreadable event, and goes on', () => {
    const p = new JsonLineParser({
      json: (v) => {
        if (v.bad) throw new TypeError('boom');
        return [{ kind: 'result', ok: true, message: null, session: null }];
      },
    });
    expect(parseChunks(p, '{"bad":1}\n{"ok":1}\n')).toEqual([
      { kind: 'unreadable', reason: 'unexpected shape: boom' },
      { kind: 'result', ok: true, message: null, session: null },
    ]);
  });

  it('never throws, and chunking never changes what it reads, whatever bytes arrive', () => {
    const junk = fc.array(
      fc.oneof(
        fc.string({ unit: 'binary' }),
        fc.constantFrom(
          '\n',
          '\r\n',
          '{',
          '}',
          '"',
          '{"type":"result"}',
          '{"type":"result","modelUsage":{"m":{}}}',
        ),
      ),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(junk, (parts) => {
        for (const preset of PRESETS) {
          const text = parts.join('');
          expect(() => parseChunks(preset.parser({ now: () => new Date(0) }), text)).not.toThrow();
        }
      }),
      fuzzOptions(100),
    );
    const sample = [
      '{"type":"result","is_error":true,"api_error_status":429,"result":"x"}',
      'junk',
      '{"n":1}',
    ];
    for (const preset of PRESETS)
      expectChunkingIrrelevant(() => preset.parser({}), `${sample.join('\r\n')}\n`, 20);
  });
});

describe('limit texts and reset times', () => {
  const now = new Date('2026-12-05T10:00:00Z');

  it('reads the documented limit texts, and leaves ordinary errors alone', () => {
    for (const text of [
      "You've hit your limit · resets 7pm (America/Los_Angeles)",
      'You’re out of extra usage · resets 5pm (Europe/Paris)',
      'API Error: Request rejected (429) · The usage limit has been reached',
      'Claude AI usage limit reached|1764950400',
      "You've hit your usage limit. Upgrade to Pro",
      'Sorry, you’ve hit a rate limit that restricts…',
      'Sorry, you have exceeded your Copilot token usage',
      'You have exhausted your daily quota on this model.',
      'Usage limit reached for gemini-3-pro',
    ])
      expect(limitFromText(text, now)).toMatchObject({ kind: 'limit' });
    for (const text of ['Not logged in · Please run /login', 'Reconnecting... 2/5', 'overloaded', ''])
      expect(limitFromText(text, now)).toBeNull();
  });

  it('resolves each form of reset time', () => {
    expect(resetFromText('Claude AI usage limit reached|1764950400', null)).toBe('2025-12-05T16:00:00.000Z');
    expect(resetFromText('resets 7pm (America/Los_Angeles)', now)).toBe('2026-12-06T03:00:00.000Z');
    expect(resetFromText('resets 9:30am (Asia/Kolkata)', now)).toBe('2026-12-06T04:00:00.000Z');
    expect(resetFromText('resets 9am (Not/AZone)', now)).toBeNull();
    expect(resetFromText('try again in 1 day and 2 hours', now)).toBe('2026-12-06T12:00:00.000Z');
    expect(resetFromText('no time here', now)).toBeNull();
  });

  it('crosses daylight-saving changes: 9am in New York after the clocks went back', () => {
    // 2026-11-01 02:00 EDT → EST: 09:00 is 13:00 UTC before, 14:00 UTC after.
    expect(nextWallClock(new Date('2026-10-31T20:00:00Z'), 9, 0, 'America/New_York')).toBe(
      '2026-11-01T14:00:00.000Z',
    );
    expect(nextWallClock(new Date('2026-10-30T20:00:00Z'), 9, 0, 'America/New_York')).toBe(
      '2026-10-31T13:00:00.000Z',
    );
    expect(nextWallClock(now, 24, 0, 'UTC')).toBeNull();
  });

  it('reads epochs in seconds or milliseconds, and durations in words or letters', () => {
    expect(epochToIso(1765000000)).toBe('2025-12-06T05:46:40.000Z');
    expect(epochToIso(1765000000000)).toBe('2025-12-06T05:46:40.000Z');
    expect(epochToIso('soon')).toBeNull();
    expect(epochToIso(-1)).toBeNull();
    expect(durationMs('3 days 6 hours 57 minutes')).toBe(((3 * 24 + 6) * 60 + 57) * 60_000);
    expect(durationMs('1h 30m 5s')).toBe(5_405_000);
    expect(durationMs('soon')).toBeNull();
  });
});
