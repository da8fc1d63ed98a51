import { type KV, KvWatchInclude } from '@nats-io/kv';

/**
 * A live, in-memory copy of a KV bucket: a watch on updates first, then a snapshot of every key,
 * newest revision winning per key, so nothing written during start-up is missed. Readers get a
 * map lookup instead of a round trip — what lets the witness judge 10,000 polecats per tick.
 */
export class KvMirror<T> {
  private readonly entries = new Map<string, { revision: number; value: T | null }>();
  private stopWatch: (() => void) | null = null;

  static async open<T>(kv: KV): Promise<KvMirror<T>> {
    const mirror = new KvMirror<T>();
    const watch = await kv.watch({ key: '>', include: KvWatchInclude.UpdatesOnly });
    mirror.stopWatch = () => watch.stop();
    void (async () => {
      for await (const e of watch)
        mirror.apply(e.key, e.revision, e.operation === 'PUT' ? e.json<T>() : null);
    })();
    for await (const key of await kv.keys()) {
      const e = await kv.get(key);
      if (e) mirror.apply(key, e.revision, e.operation === 'PUT' && e.length > 0 ? e.json<T>() : null);
    }
    return mirror;
  }

  private apply(key: string, revision: number, value: T | null): void {
    const known = this.entries.get(key);
    if (!known || known.revision < revision) this.entries.set(key, { revision, value });
  }

  get(key: string): T | null {
    return this.entries.get(key)?.value ?? null;
  }

  stop(): void {
    this.stopWatch?.();
  }
}
