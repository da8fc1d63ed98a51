import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { processAlive } from '../bus/child-process.ts';
import { townBucket } from '../bus/kv-buckets.ts';

type Log = { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };

/**
 * Leadership for one job: a key in a KV bucket whose TTL is the lease (nats-server 2.9 has no
 * per-key TTL, so the bucket's max age is it; every lease of a town shares it). `cron` for the
 * cron jobs, `refinery-<rig>` for a rig's merge queue. `create` succeeds for one replica only; the
 * holder renews with `update` on its revision (a compare-and-swap). The revision is the fencing
 * token: a paused ex-leader's token no longer matches, and every job write is a CAS anyway.
 */
export class LeaderLease {
  private readonly kv: KV;
  private readonly id: string;
  private readonly ttlMs: number;
  private readonly log: Log;
  private readonly key: string;
  private revision: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Called each time this replica becomes the leader (at start, or taking over from a dead one). */
  onAcquire: () => void = () => {};

  private constructor(kv: KV, id: string, ttlMs: number, log: Log, key: string) {
    this.kv = kv;
    this.id = id;
    this.ttlMs = ttlMs;
    this.log = log;
    this.key = key;
  }

  static async open(
    nc: NatsConnection,
    prefix: string,
    id: string,
    ttlMs: number,
    log: Log,
    replicas: number,
    key = 'cron',
  ): Promise<LeaderLease> {
    const kv = await townBucket(nc, `${prefix}_leases`, replicas, ttlMs);
    return new LeaderLease(kv, id, ttlMs, log, key);
  }

  /** Tries to take or keep the lease now; then keeps trying every third of the TTL. */
  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), Math.max(200, Math.floor(this.ttlMs / 3)));
  }

  /** The fencing token while this replica leads, else null. */
  token(): number | null {
    return this.revision;
  }

  private async tick(): Promise<void> {
    try {
      if (this.revision === null) {
        this.revision = (await this.takeOverFromOwnPast()) ?? (await this.kv.create(this.key, this.id));
        this.log.info({ id: this.id, fence: this.revision, lease: this.key }, `took the ${this.key} lease`);
        this.onAcquire();
      } else {
        this.revision = await this.kv.update(this.key, this.id, this.revision);
      }
      return;
    } catch {
      if (this.revision !== null)
        this.log.warn(
          { id: this.id, lease: this.key },
          `lost the ${this.key} lease; another replica holds it now`,
        );
      this.revision = null;
    }
  }

  /**
   * A lease held by this home's previous service process, now dead (kill -9), is released at
   * once instead of waiting out the TTL: one service runs per home, so that holder cannot be
   * alive elsewhere. Ids are `<pid>@<home>`.
   * A lease that already names this very holder was taken by an earlier create whose answer
   * was lost (a request timed out on a loaded machine after NATS applied it): it is ours, and
   * its revision is returned, instead of leaving the lease unled until the TTL ends.
   */
  private async takeOverFromOwnPast(): Promise<number | null> {
    const entry = await this.kv.get(this.key);
    if (!entry || entry.length === 0) return null;
    if (entry.string() === this.id) return entry.revision;
    const [pid, home] = entry.string().split('@');
    if (home !== this.id.split('@')[1] || Number(pid) === process.pid || processAlive(Number(pid)))
      return null;
    await this.kv.delete(this.key, { previousSeq: entry.revision });
    return null;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.revision !== null)
      await this.kv.delete(this.key, { previousSeq: this.revision }).catch(() => undefined);
    this.revision = null;
  }
}
