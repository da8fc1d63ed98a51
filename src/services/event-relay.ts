import { type JetStreamClient, jetstream } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { eventSubject } from '../bus/streams.ts';
import type { Ledger } from '../ledger/port.ts';

type Log = { error(obj: object, msg: string): void };

/**
 * Publishes ledger events to JetStream, in order, from a high-water mark kept in a KV bucket.
 * The ledger is the outbox: an event is written with its change, so a crash between the write
 * and the publish loses nothing — the relay resumes from the mark, and the stream's `evt-<seq>`
 * deduplication absorbs what it publishes twice. Woken at once by the service's own writes;
 * a short poll picks up writes of other replicas.
 */
export class EventRelay {
  private readonly ledger: Ledger;
  private readonly js: JetStreamClient;
  private readonly kv: KV;
  private readonly prefix: string;
  private readonly log: Log;
  private hwm = 0;
  private running = false;
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> | null = null;

  private constructor(ledger: Ledger, js: JetStreamClient, kv: KV, prefix: string, log: Log) {
    this.ledger = ledger;
    this.js = js;
    this.kv = kv;
    this.prefix = prefix;
    this.log = log;
  }

  static async open(nc: NatsConnection, ledger: Ledger, prefix: string, log: Log): Promise<EventRelay> {
    const kv = await new Kvm(nc).create(`${prefix}_relay`, { history: 1 });
    return new EventRelay(ledger, jetstream(nc), kv, prefix, log);
  }

  async start(pollMs = 500): Promise<void> {
    this.hwm = Number((await this.kv.get('hwm'))?.string() ?? 0);
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        try {
          await this.pump();
        } catch (err) {
          this.log.error({ err }, 'event relay: publish failed; retrying');
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    })();
  }

  /** Something was just written: publish it now rather than at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  /** Publishes everything after the mark; the mark only moves past what JetStream acknowledged. */
  async pump(): Promise<void> {
    for (;;) {
      const events = await this.ledger.eventsSince(this.hwm, 500);
      if (events.length === 0) return;
      for (const e of events) {
        await this.js.publish(eventSubject(this.prefix, e.type, e.rig), JSON.stringify(e), {
          msgID: `evt-${e.seq}`,
        });
        this.hwm = e.seq;
      }
      await this.kv.put('hwm', String(this.hwm));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }
}
