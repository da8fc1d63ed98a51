/**
 * At most one run per key per `intervalMs`, coalescing: a card edited by ten events in a second
 * is edited once now and once more at the end of the interval, with the state of that moment
 * (platforms allow about one edit per 2 s per message; ecosystem.md §1.3).
 */
export class Throttle {
  private readonly intervalMs: number;
  private readonly last = new Map<string, number>();
  private readonly pending = new Map<string, { timer: NodeJS.Timeout; run: () => Promise<void> }>();
  private readonly onError: (err: unknown) => void;

  constructor(intervalMs: number, onError: (err: unknown) => void) {
    this.intervalMs = intervalMs;
    this.onError = onError;
  }

  schedule(key: string, run: () => Promise<void>): void {
    const waiting = this.pending.get(key);
    if (waiting) {
      waiting.run = run; // the latest wins
      return;
    }
    const wait = Math.max(0, (this.last.get(key) ?? 0) + this.intervalMs - Date.now());
    const entry = {
      run,
      timer: setTimeout(() => {
        this.pending.delete(key);
        this.last.set(key, Date.now());
        entry.run().catch(this.onError);
      }, wait),
    };
    this.pending.set(key, entry);
  }

  /** Runs whatever is pending now (shutdown). */
  async flush(): Promise<void> {
    const runs = [...this.pending.values()];
    this.pending.clear();
    for (const p of runs) {
      clearTimeout(p.timer);
      await p.run().catch(this.onError);
    }
  }
}
