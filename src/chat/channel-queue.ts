/**
 * Outbound posts, one channel at a time: calls to one channel run in order, at least
 * `spacingMs` apart (Slack allows about one message per second per channel), so a burst of cards
 * never trips the platform's limit; the platform clients retry a 429 themselves after
 * `Retry-After` (and the composition root counts each in `gt_chat_rate_limited_total`).
 */
export class ChannelQueue {
  private readonly spacingMs: number;
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly lastAt = new Map<string, number>();

  constructor(spacingMs: number) {
    this.spacingMs = spacingMs;
  }

  run<T>(channel: string, call: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(channel) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        const wait = (this.lastAt.get(channel) ?? 0) + this.spacingMs - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        this.lastAt.set(channel, Date.now());
        return call();
      });
    this.tails.set(channel, next);
    // Both branches: a failed call is the caller's to handle (it gets `next`); an unhandled copy of
    // the rejection here would take the whole process down.
    const forget = () => {
      if (this.tails.get(channel) === next) this.tails.delete(channel);
    };
    next.then(forget, forget);
    return next;
  }
}
