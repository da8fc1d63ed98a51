import { describe, expect, it } from 'vitest';
import { PolecatOutput, type UsageSender } from '../../src/agent/usage-reporter.ts';
import type { OutputParser } from '../../src/domain/agent-output.ts';
import { parserFor } from '../../src/domain/runtimes/index.ts';
import { runFake } from './parser-harness.ts';

/** A polecat's output read as it streams, and what the runner sends `gt usage report` (a recorded call list). */
const owner = { bead: 'al-1', agent: 'alpha/Toast', rig: 'alpha' };

function reader(runtime: string, send: UsageSender, logs: string[] = []) {
  return new PolecatOutput({
    parser: parserFor(runtime, { now: () => new Date('2026-12-05T06:00:00Z') }) as OutputParser,
    owner,
    ownSession: 'alpha/Toast@2026-12-05T06:00:00.000Z',
    send,
    log: (m) => logs.push(m),
  });
}

const recorder = () => {
  const calls: Array<Record<string, string | boolean>> = [];
  return { calls, send: async (args: Record<string, string | boolean>) => void calls.push(args) };
};

/** Feeds `text` in small pieces, as a pipe delivers it. */
const stream = (out: PolecatOutput, text: string, size = 97) => {
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
};

/** Feeds `text` a line at a time, letting reports go out in between (a run that takes its time). */
const slowly = async (out: PolecatOutput, text: string) => {
  for (const line of text.split(/(?<=\n)/)) {
    out.push(line);
    await new Promise((r) => setImmediate(r));
  }
};

describe('reporting a polecat’s usage', () => {
  it('sends Claude’s result as the session’s running total, with the CLI’s cost (T1)', async () => {
    const { calls, send } = recorder();
    const out = reader('claude', send);
    stream(out, runFake('claude', 'usage').stdout);
    await out.end();
    expect(calls).toEqual([
      {
        ...owner,
        input: '30',
        output: '2600',
        'cache-read': '95000',
        'cache-write': '9500',
        model: 'claude-sonnet-5',
        cost: '0.4213',
        session: 's-1',
        cumulative: true,
      },
    ]);
    expect(out.limit).toBeNull();
  });

  it('sends a resumed session’s totals in order, each once (T17)', async () => {
    const { calls, send } = recorder();
    const out = reader('claude', send);
    await slowly(out, runFake('claude', 'resume').stdout);
    await out.end();
    expect(calls.map((c) => [c.cost, c.output, c.session])).toEqual([
      ['0.4', '2600', 's-1'],
      ['0.55', '5200', 's-1'],
    ]);
  });

  it('sends every step of a CLI that reports steps (OpenCode), none merged (T4)', async () => {
    const { calls, send } = recorder();
    const out = reader('opencode', send);
    stream(out, runFake('opencode', 'usage').stdout, 13);
    await out.end();
    expect(calls).toEqual([
      {
        ...owner,
        input: '900',
        output: '120',
        'cache-read': '4000',
        'cache-write': '0',
        cost: '0.012',
        session: 's-1',
      },
      {
        ...owner,
        input: '900',
        output: '120',
        'cache-read': '4000',
        'cache-write': '0',
        cost: '0.012',
        session: 's-1',
      },
    ]);
  });

  it('keeps reports in order one at a time; a newer running total replaces a queued one of its session', async () => {
    const calls: string[] = [];
    const gates: Array<() => void> = [];
    const out = reader('codex', (args) => {
      calls.push(`${args.session}:${args.input}`);
      return new Promise<void>((done) => gates.push(done));
    });
    const turn = (input: number) =>
      `${JSON.stringify({ type: 'turn.completed', usage: { input_tokens: input, cached_input_tokens: 0, output_tokens: 1 } })}\n`;
    out.push(`${JSON.stringify({ type: 'thread.started', thread_id: 't-1' })}\n${turn(10)}`);
    await Promise.resolve();
    out.push(turn(20)); // queued behind the one in flight
    out.push(turn(30)); // replaces it: the same session's newer total
    expect(calls).toEqual(['t-1:10']);
    while (gates.length > 0 || calls.length < 2) {
      gates.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await out.end();
    expect(calls).toEqual(['t-1:10', 't-1:30']);
  });

  it('counts running totals without a session under the process’s own', async () => {
    const { calls, send } = recorder();
    const out = reader('codex', send);
    out.push(`${JSON.stringify({ type: 'turn.completed', usage: { input_tokens: 5, output_tokens: 1 } })}\n`);
    await out.end();
    expect(calls).toEqual([
      expect.objectContaining({ session: 'alpha/Toast@2026-12-05T06:00:00.000Z', cumulative: true }),
    ]);
  });

  it('logs a failed report and goes on with the next', async () => {
    const logs: string[] = [];
    const sent: string[] = [];
    const out = reader(
      'claude',
      async (args) => {
        if (args.cost === '0.4') throw new Error('unknown verb gt usage report');
        sent.push(String(args.cost));
      },
      logs,
    );
    await slowly(out, runFake('claude', 'resume').stdout);
    await out.end();
    expect(sent).toEqual(['0.55']);
    expect(logs).toEqual(['usage report for alpha/Toast on al-1 failed: unknown verb gt usage report']);
  });

  it('keeps one limit of a run: the first reset time given, the latest message (T5)', async () => {
    const out = reader('claude', async () => undefined);
    stream(out, runFake('claude', 'limit', { FAKE_RESETS_AT: '1765000000' }).stdout);
    await out.end();
    expect(out.limit).toEqual({
      kind: 'limit',
      reset_at: '2025-12-06T05:46:40.000Z',
      message: "You've hit your session limit · resets 9am (Europe/Berlin)",
    });
  });

  it('says how many lines it could not read, once, at the end', async () => {
    const logs: string[] = [];
    const out = reader('claude', async () => undefined, logs);
    stream(out, runFake('claude', 'malformed').stdout);
    await out.end();
    expect(logs).toEqual(['alpha/Toast: 6 line(s) of its output could not be read (see its log)']);
  });
});
