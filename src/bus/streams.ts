import { type JetStreamManager, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/transport-node';

/**
 * The JetStream streams the service relies on, created idempotently at start (nats-server 2.9:
 * one filter subject per consumer, no per-message TTL).
 *  - EVENTS: every ledger event, `<prefix>.evt.<type>.<rig|town>`, kept 7 days, deduplicated by
 *    `evt-<seq>` for 10 minutes so a relay restart never publishes an event twice.
 *  - DISPATCH: the rig work queues `<prefix>.dispatch.<rig>`; a message is gone once a runner acks it.
 */
export const eventsStream = (prefix: string) => `${prefix.toUpperCase()}_EVENTS`;
export const dispatchStream = (prefix: string) => `${prefix.toUpperCase()}_DISPATCH`;
export const eventSubject = (prefix: string, type: string, rig: string | null) =>
  `${prefix}.evt.${type}.${rig ?? 'town'}`;
export const dispatchSubject = (prefix: string, rig: string) => `${prefix}.dispatch.${rig}`;

const DEDUP_WINDOW = nanos(10 * 60_000);

export async function ensureStreams(nc: NatsConnection, prefix: string): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc);
  await upsert(jsm, {
    name: eventsStream(prefix),
    subjects: [`${prefix}.evt.>`],
    retention: RetentionPolicy.Limits,
    max_age: nanos(7 * 24 * 3600_000),
  });
  await upsert(jsm, {
    name: dispatchStream(prefix),
    subjects: [`${prefix}.dispatch.>`],
    retention: RetentionPolicy.Workqueue,
  });
  return jsm;
}

async function upsert(
  jsm: JetStreamManager,
  config: { name: string; subjects: string[]; retention: RetentionPolicy; max_age?: number },
): Promise<void> {
  const full = { ...config, storage: StorageType.File, duplicate_window: DEDUP_WINDOW };
  try {
    await jsm.streams.info(config.name);
    await jsm.streams.update(config.name, full);
  } catch {
    await jsm.streams.add(full);
  }
}
