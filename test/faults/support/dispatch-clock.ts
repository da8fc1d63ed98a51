/**
 * When each dispatch happened, as the runners report them ("spawned <agent> for <bead>" lines,
 * which carry no time): sampled every 50 ms, so a gap is measured to within that. What a fault
 * costs the town is then the longest gap between two dispatches that spans it.
 */
export class DispatchClock {
  readonly times: number[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(count: () => number) {
    this.timer = setInterval(() => {
      for (let n = count(); this.times.length < n; ) this.times.push(Date.now());
    }, 50);
  }

  get count(): number {
    return this.times.length;
  }

  /** Until `n` more dispatches than `since` happened (a condition on progress, not a sleep). */
  async waitFor(
    since: number,
    n: number,
    timeoutMs: number,
    why: () => string,
    state: () => Promise<{ text: string }[]> = async () => [],
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.count < since + n) {
      if (Date.now() > deadline) {
        const lines = (await state().catch((err: Error) => [{ text: err.message }])).map((l) => l.text);
        throw new Error(
          `only ${this.count - since} of ${n} dispatches in ${timeoutMs} ms ${why()}\n${lines.join('\n')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * How long a fault at `from` stalled dispatch: the longest wait for a dispatch that came in
   * [from, to], counted from `from` or from the dispatch before it, whichever is later (a gap that
   * began before the fault is not the fault's doing).
   */
  stallAfter(from: number, to: number): number {
    let longest = 0;
    for (let i = 1; i < this.times.length; i++) {
      const [a, b] = [this.times[i - 1] as number, this.times[i] as number];
      if (b >= from && b <= to) longest = Math.max(longest, b - Math.max(a, from));
    }
    return longest;
  }

  /** The median gap over the whole run: what "no stall" looks like on this machine. */
  medianGap(): number {
    const gaps = this.times.slice(1).map((t, i) => t - (this.times[i] as number));
    return gaps.sort((x, y) => x - y)[Math.floor(gaps.length / 2)] ?? 0;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
