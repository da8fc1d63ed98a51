import type { AgentEvent, OutputParser } from '../domain/agent-output.ts';
import { type LimitEvent, mergeLimits } from '../domain/runtimes/limit-text.ts';
import { type UsageOwner, usageReportArgs } from '../domain/usage-input.ts';

/** Sends one `gt usage report`; rejects when the service refused or did not answer. */
export type UsageSender = (args: Record<string, string | boolean>) => Promise<void>;

interface Pending {
  args: Record<string, string | boolean>;
  /** A cumulative report's session: a newer total of the same session replaces a queued one. */
  supersedes: string | null;
}

/**
 * What one polecat's output says, read as it streams: its usage, reported to the service one
 * report at a time and in order (the ledger books a session's running totals as differences, so
 * an older total must never arrive after a newer one), and the usage limit it hit, if any.
 * A report that fails is logged and dropped: the runner never stops over bookkeeping.
 */
export class PolecatOutput {
  private readonly parser: OutputParser;
  private readonly owner: UsageOwner;
  /** The session a cumulative report without one counts under: this process. */
  private readonly ownSession: string;
  private readonly send: UsageSender;
  private readonly log: (msg: string) => void;
  private readonly queue: Pending[] = [];
  private sending: Promise<void> | null = null;
  private seenLimit: LimitEvent | null = null;
  private unreadableLines = 0;

  constructor(o: {
    parser: OutputParser;
    owner: UsageOwner;
    ownSession: string;
    send: UsageSender;
    log: (msg: string) => void;
  }) {
    this.parser = o.parser;
    this.owner = o.owner;
    this.ownSession = o.ownSession;
    this.send = o.send;
    this.log = o.log;
  }

  /** A piece of stdout as it arrived. */
  push(chunk: string): void {
    this.take(this.parser.push(chunk));
  }

  /** The stream ended: what its last line says. Returns once every report was sent (or failed). */
  async end(): Promise<void> {
    this.take(this.parser.end());
    if (this.unreadableLines > 0)
      this.log(
        `${this.owner.agent}: ${this.unreadableLines} line(s) of its output could not be read (see its log)`,
      );
    await this.drained();
  }

  get limit(): LimitEvent | null {
    return this.seenLimit;
  }

  /** Resolves when nothing is queued or being sent. */
  async drained(): Promise<void> {
    while (this.sending !== null) await this.sending;
  }

  private take(events: AgentEvent[]): void {
    for (const e of events) {
      if (e.kind === 'usage') this.enqueue(e);
      else if (e.kind === 'limit') this.seenLimit = mergeLimits(this.seenLimit, e);
      else if (e.kind === 'unreadable') this.unreadableLines++;
    }
  }

  private enqueue(e: Extract<AgentEvent, { kind: 'usage' }>): void {
    const session = e.session ?? (e.cumulative ? this.ownSession : null);
    const args = usageReportArgs({ ...e, session }, this.owner);
    const supersedes = e.cumulative ? session : null;
    const last = this.queue[this.queue.length - 1];
    // Running totals: the newer one says all the older did (a slow service never builds a backlog).
    if (last && supersedes !== null && last.supersedes === supersedes) last.args = args;
    else this.queue.push({ args, supersedes });
    this.sending ??= this.pump();
  }

  private async pump(): Promise<void> {
    await null; // run after `sending` holds this promise, whatever `send` does
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      try {
        await this.send(next.args);
      } catch (err) {
        this.log(
          `usage report for ${this.owner.agent} on ${this.owner.bead} failed: ${(err as Error).message}`,
        );
      }
    }
    this.sending = null;
  }
}
