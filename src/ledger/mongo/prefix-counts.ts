/** How long a counted prefix is trusted before it is counted again. */
const RECOUNT_AFTER_MS = 60_000;

/**
 * How many beads carry each id prefix, as the adaptive id length needs it (ids.ts: longer hashes
 * as a prefix fills up). Counted once a minute per prefix and kept up to date with this process's
 * own creates in between, instead of a count query per create: an approximate count only changes
 * which id length is tried first, and the unique `_id` insert still settles any collision.
 */
export class PrefixCounts {
  private readonly count: (prefix: string) => Promise<number>;
  private readonly known = new Map<string, { n: number; at: number }>();

  constructor(count: (prefix: string) => Promise<number>) {
    this.count = count;
  }

  async of(prefix: string): Promise<number> {
    const hit = this.known.get(prefix);
    if (hit && Date.now() - hit.at < RECOUNT_AFTER_MS) return hit.n;
    const n = await this.count(prefix);
    this.known.set(prefix, { n, at: Date.now() });
    return n;
  }

  created(prefix: string): void {
    const hit = this.known.get(prefix);
    if (hit) hit.n++;
  }
}
