import type { AgentEvent, OutputParser } from '../agent-output.ts';

/**
 * The streaming half every parser shares: stdout arrives in chunks of any size, a line may be
 * split across them, end in CRLF, carry a BOM or colour codes, or be a 20 MB tool result. Lines
 * are cut here and handed, one parsed JSON value at a time, to the CLI's own reader; whatever
 * goes wrong becomes an `unreadable` event, never an exception the runner would have to catch.
 */

/** The longest line kept: longer ones (a tool result dumping a file) are dropped whole, unread. */
export const MAX_LINE = 1024 * 1024;

/** What a CLI's reader does with one line: a JSON object, or text that is not JSON. */
export interface LineReader {
  json(value: Record<string, unknown>): AgentEvent[];
  /** A line that is not a JSON object; default: `unreadable`. Some CLIs print limits as text. */
  text?(line: string): AgentEvent[] | null;
  /** The stream ended (after its last line): what the reader still holds back, if anything. */
  end?(): AgentEvent[];
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes are control characters
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
const NONE: AgentEvent[] = [];

const unreadable = (reason: string): AgentEvent => ({ kind: 'unreadable', reason });

/** A line's start, for the reason of an unreadable one: enough to find it in the log. */
const excerpt = (line: string): string => JSON.stringify(line.slice(0, 80));

const notObject = (text: string): AgentEvent => unreadable(`not a JSON object: ${excerpt(text)}`);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const tooLong = (head: string): AgentEvent =>
  unreadable(`line over ${MAX_LINE} characters dropped, starting ${excerpt(head)}`);

export class JsonLineParser implements OutputParser {
  private readonly reader: LineReader;
  /** The unterminated line so far (never longer than MAX_LINE). */
  private pending = '';
  /** Inside a line over MAX_LINE: the rest of it is skipped up to its newline. */
  private skipping = false;

  constructor(reader: LineReader) {
    this.reader = reader;
  }

  push(chunk: string): AgentEvent[] {
    const events: AgentEvent[] = [];
    let from = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', from)) {
      const length = this.pending.length + (nl - from);
      if (this.skipping)
        this.skipping = false; // the end of a line already reported
      else if (length > MAX_LINE) events.push(tooLong(this.pending + chunk.slice(from, from + 80)));
      else for (const e of this.read(this.pending + chunk.slice(from, nl))) events.push(e);
      this.pending = '';
      from = nl + 1;
    }
    if (from < chunk.length && !this.skipping) this.keep(chunk.slice(from), events);
    return events;
  }

  end(): AgentEvent[] {
    const last = this.skipping ? '' : this.pending;
    this.pending = '';
    this.skipping = false;
    const events = last ? this.read(last) : [];
    return this.reader.end ? [...events, ...this.guard(() => this.reader.end?.() ?? NONE)] : events;
  }

  /**
   * Keeps an unterminated tail for the next chunk, unless that makes the line too long: then it
   * is dropped and reported at once (memory stays bounded), and the rest of it skipped.
   */
  private keep(tail: string, events: AgentEvent[]): void {
    if (this.pending.length + tail.length <= MAX_LINE) {
      this.pending += tail;
      return;
    }
    events.push(tooLong(this.pending + tail.slice(0, 80)));
    this.pending = '';
    this.skipping = true;
  }

  private read(raw: string): AgentEvent[] {
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.charCodeAt(0) !== 123 /* { */) {
      line = line
        .replace(ANSI, '')
        .replace(/^\uFEFF/, '')
        .trim();
      if (line === '') return NONE;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return this.guard(() => this.reader.text?.(line) ?? [unreadable(`not JSON: ${excerpt(line)}`)]);
    }
    return this.readValue(value, line);
  }

  /** One JSON value: an object, or (Claude's `json` format with verbose on) an array of them. */
  private readValue(value: unknown, line: string): AgentEvent[] {
    if (Array.isArray(value))
      return value.flatMap((v) =>
        isObject(v) ? this.guard(() => this.reader.json(v)) : [notObject(JSON.stringify(v) ?? String(v))],
      );
    if (isObject(value)) return this.guard(() => this.reader.json(value));
    return this.guard(() => this.reader.text?.(line) ?? [notObject(line)]);
  }

  /** A reader that throws on a shape it did not expect loses that line, not the stream. */
  private guard(read: () => AgentEvent[]): AgentEvent[] {
    try {
      return read();
    } catch (err) {
      return [unreadable(`unexpected shape: ${(err as Error).message}`)];
    }
  }
}
