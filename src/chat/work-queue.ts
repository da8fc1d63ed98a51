/**
 * The work behind acknowledged chat requests, a few at a time (FIFO). The ledger is synchronous
 * SQLite and Node has one thread: with 50 slash commands arriving together, doing all their work
 * at once would delay the acknowledgements still to be sent; queued, every request is acknowledged
 * first and the answers follow in order (each within Slack's 30-minute response URL window).
 */
const BURST_MS = 5;

export class WorkQueue {
  private readonly limit: number;
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(limit: number) {
    this.limit = limit;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else {
      this.running++;
      // A burst of requests arrives over a few milliseconds: let it be acknowledged before working.
      await new Promise((resolve) => setTimeout(resolve, BURST_MS));
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next)
        setImmediate(next); // hand the slot over after pending I/O (new requests) is served
      else this.running--;
    }
  }
}
