import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';

type Log = { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };

/**
 * Leadership for the cron jobs: a key in a KV bucket whose TTL is the lease (nats-server 2.9 has
 * no per-key TTL, so the bucket's max age is it). `create` succeeds for one replica only; the
 * holder renews with `update` on its revision (a compare-and-swap). The revision is the fencing
 * token: a paused ex-leader's token no longer matches, and every job write is a CAS anyway.
 */
export class LeaderLease {
  private readonly kv: KV;
  private readonly id: string;
  private readonly ttlMs: number;
  private readonly log: Log;
  private revision: number | null = null;
  private timer: NodeJS.Timeout | null = null;

  private constructor(kv: KV, id: string, ttlMs: number, log: Log) {
    this.kv = kv;
    this.id = id;
    this.ttlMs = ttlMs;
    this.log = log;
  }

  static async open(
    nc: NatsConnection,
    prefix: string,
    id: string,
    ttlMs: number,
    log: Log,
  ): Promise<LeaderLease> {
    const kv = await new Kvm(nc).create(`${prefix}_leases`, { history: 1, ttl: ttlMs });
    return new LeaderLease(kv, id, ttlMs, log);
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
      this.revision =
        this.revision === null
          ? await this.kv.create('cron', this.id)
          : await this.kv.update('cron', this.id, this.revision);
      return;
    } catch {
      if (this.revision !== null)
        this.log.warn({ id: this.id }, 'lost the cron lease; another replica leads now');
      this.revision = null;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.revision !== null)
      await this.kv.delete('cron', { previousSeq: this.revision }).catch(() => undefined);
    this.revision = null;
  }
}
