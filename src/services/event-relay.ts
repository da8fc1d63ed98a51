import { type JetStreamClient, jetstream } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { townBucket } from '../bus/kv-buckets.ts';
import { eventSubject } from '../bus/streams.ts';
import { traceHeaders } from '../bus/trace-headers.ts';
import { inSpan } from '../bus/tracing.ts';
import { contextOfWrite } from '../bus/write-traces.ts';
import type { Ledger, LedgerEvent } from '../ledger/port.ts';

type Log = { error(obj: object, msg: string): void };

/** Events read and published per round: bounds the messages in flight and the memory they take. */
const BATCH = 500;

/**
 * Publishes ledger events to JetStream, in order, from a high-water mark kept in a KV bucket.
 * The ledger is the outbox: an event is written with its change, so a crash between the write
 * and the publish loses nothing — the relay resumes from the mark, and the stream's `evt-<seq>`
 * deduplication absorbs what it publishes twice. Woken at once by the service's own writes;
 * a short poll picks up writes of other replicas.
 *
 * The mark is saved in the background, coalesced (one write in flight, the newest value next):
 * a KV round trip per batch on the publishing path doubled a close's wait to reach the stream
 * under load. After a crash the mark may trail by a batch or two; what is republished then falls
 * inside the stream's deduplication window and is dropped there.
 */
export class EventRelay {
  private readonly ledger: Ledger;
  private readonly js: JetStreamClient;
  private readonly kv: KV;
  private readonly prefix: string;
  private readonly log: Log;
  private hwm = 0;
  private running = false;
  private stopping = false;
  private wakeUp: (() => void) | null = null;
  /** Set by wake(); a wake that comes while a pump runs makes the loop pump again at once. */
  private woken = false;
  private markSaving: Promise<void> | null = null;
  private markDirty = false;
  private loop: Promise<void> | null = null;

  private constructor(ledger: Ledger, js: JetStreamClient, kv: KV, prefix: string, log: Log) {
    this.ledger = ledger;
    this.js = js;
    this.kv = kv;
    this.prefix = prefix;
    this.log = log;
  }

  /** `replicas`: GT_NATS_REPLICAS for its mark's bucket (1, the embedded single server's, unless given). */
  static async open(
    nc: NatsConnection,
    ledger: Ledger,
    prefix: string,
    log: Log,
    replicas = 1,
  ): Promise<EventRelay> {
    const kv = await townBucket(nc, relayBucket(prefix), replicas);
    return new EventRelay(ledger, jetstream(nc), kv, prefix, log);
  }

  async start(pollMs = 500): Promise<void> {
    this.hwm = Number((await this.kv.get(MARK_KEY))?.string() ?? 0);
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        this.woken = false;
        try {
          await this.pump();
        } catch (err) {
          this.log.error({ err }, 'event relay: publish failed; retrying');
        }
        if (this.woken) continue;
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
    this.woken = true;
    this.wakeUp?.();
  }

  /** Publishes everything after the mark; the mark only moves past what JetStream acknowledged. */
  async pump(): Promise<void> {
    // A stopping relay ends after the batch in flight: a backlog is not its shutdown's to publish
    // (the next relay, on another replica or after the restart, resumes from the saved mark).
    while (!this.stopping) {
      const events = await this.ledger.eventsSince(this.hwm, BATCH);
      if (events.length === 0) return;
      const failure = await this.publishAll(events);
      this.saveMark();
      if (failure) throw failure;
    }
  }

  /**
   * Publishes a batch pipelined: every message goes out at once, in seq order on one connection
   * (so the stream stores them in that order), and the acks are awaited together. One round trip
   * per event instead made the relay the bottleneck of a busy town: in the fleet benchmark a close
   * waited ~5 s to reach the stream. The mark moves to the last event before the first failure;
   * anything after it that did get stored is republished and absorbed by the `evt-<seq>` msgID
   * (the failed one then follows it in the stream: consumers read current state, not order).
   */
  private async publishAll(events: readonly LedgerEvent[]): Promise<unknown> {
    const results = await Promise.allSettled(events.map((e) => this.publish(e)));
    for (const [i, event] of events.entries()) {
      const result = results[i];
      if (result?.status === 'rejected') return result.reason;
      this.hwm = event.seq;
    }
    return null;
  }

  /**
   * One event. With tracing on, an event this process's command layer wrote continues that
   * command's trace (src/bus/write-traces.ts): a short span for the publish, whose context the
   * message carries in its headers to the feeder and dispatcher. Publishing starts synchronously
   * either way, so the pipelined batch keeps its seq order.
   */
  private publish(e: LedgerEvent) {
    const subject = eventSubject(this.prefix, e.type, e.rig);
    const parent = contextOfWrite(e);
    if (!parent) return this.js.publish(subject, JSON.stringify(e), { msgID: `evt-${e.seq}` });
    const attributes = { 'gt.event': e.type, 'gt.seq': e.seq };
    return inSpan(`publish ${e.type}`, { kind: 'producer', parent, attributes }, () => {
      const headers = traceHeaders();
      return this.js.publish(subject, JSON.stringify(e), {
        msgID: `evt-${e.seq}`,
        ...(headers && { headers }),
      });
    });
  }

  /** Writes the mark unless a write is in flight; then the newest mark is written after it. */
  private saveMark(): void {
    if (this.markSaving !== null) {
      this.markDirty = true;
      return;
    }
    this.markSaving = this.kv
      .put(MARK_KEY, String(this.hwm))
      .then(
        () => {},
        (err) =>
          this.log.error(
            { err },
            'event relay: could not save its mark; a restart republishes from the last one',
          ),
      )
      .finally(() => {
        this.markSaving = null;
        if (this.markDirty) {
          this.markDirty = false;
          this.saveMark();
        }
      });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    this.wake();
    await this.loop;
    while (this.markSaving !== null) await this.markSaving;
  }
}

/** Where the relay keeps its published mark: KV bucket `<prefix>_relay`, key `hwm`. */
const relayBucket = (prefix: string) => `${prefix}_relay`;
const MARK_KEY = 'hwm';

/**
 * The relay's published mark as a restarted relay would resume from it (it may trail the running
 * relay's, never lead it). Null when none was saved yet. The retention job keeps every event from it on.
 */
export async function relayMark(nc: NatsConnection, prefix: string): Promise<number | null> {
  const entry = await (await new Kvm(nc).open(relayBucket(prefix))).get(MARK_KEY);
  const mark = Number(entry?.string());
  return entry && Number.isInteger(mark) && mark > 0 ? mark : null;
}
