import { type JetStreamManager, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/transport-node';
import { isStreamNotFound, keepReplicas } from './replicas.ts';
import { STREAM_SUBJECTS } from './subjects.ts';

/**
 * The JetStream streams the service relies on, created idempotently at start (nats-server 2.9:
 * one filter subject per consumer, no per-message TTL).
 *  - EVENTS: every ledger event, `<prefix>.evt.<type>.<rig|town>`, kept 7 days, deduplicated by
 *    `evt-<seq>` for 10 minutes so a relay restart never publishes an event twice.
 *  - DISPATCH: the rig work queues `<prefix>.dispatch.<rig>`; a message is gone once a runner acks it.
 *  - MAIL: mail carried to agents, `<prefix>.mail.<rig>.<name>`, kept 14 days (the ledger keeps it
 *    for good), deduplicated by the mail's ledger id.
 * Each keeps `replicas` copies (GT_NATS_REPLICAS; 1, the embedded single server's, unless given).
 */
export const eventsStream = (prefix: string) => `${prefix.toUpperCase()}_EVENTS`;
export const dispatchStream = (prefix: string) => `${prefix.toUpperCase()}_DISPATCH`;
export const mailStream = (prefix: string) => `${prefix.toUpperCase()}_MAIL`;

/** The KV bucket of polecat process reports that runners write (agent/liveness.ts). */
export const livenessBucket = (prefix: string): string => `${prefix}_liveness`;

/** An agent's durable mail consumer (agent/mailbox.ts), named so NATS permissions can name it. */
export const mailDurable = (address: string): string => `mail-${address.replace(/[^A-Za-z0-9_-]/g, '_')}`;

// The subjects themselves are built in subjects.ts (with every other subject of the town).
export { dispatchSubject, eventSubject, mailSubject } from './subjects.ts';

const DEDUP_WINDOW = nanos(10 * 60_000);

export async function ensureStreams(
  nc: NatsConnection,
  prefix: string,
  replicas = 1,
): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc);
  const upsert = (config: StreamShape) => upsertStream(jsm, config, replicas);
  await upsert({
    name: eventsStream(prefix),
    subjects: [STREAM_SUBJECTS.events(prefix)],
    retention: RetentionPolicy.Limits,
    max_age: nanos(7 * 24 * 3600_000),
  });
  await upsert({
    name: dispatchStream(prefix),
    subjects: [STREAM_SUBJECTS.dispatch(prefix)],
    retention: RetentionPolicy.Workqueue,
  });
  await upsert({
    name: mailStream(prefix),
    subjects: [STREAM_SUBJECTS.mail(prefix)],
    retention: RetentionPolicy.Limits,
    max_age: nanos(14 * 24 * 3600_000),
  });
  return jsm;
}

type StreamShape = { name: string; subjects: string[]; retention: RetentionPolicy; max_age?: number };

/**
 * Creates the stream, or brings an existing one to this shape and replica count. Only "not found"
 * leads to a create: any other failure (no JetStream quorum yet, a refused replica change) is the
 * caller's error, not a create that would fail with a misleading "name already in use".
 */
async function upsertStream(jsm: JetStreamManager, config: StreamShape, replicas: number): Promise<void> {
  const full = { ...config, storage: StorageType.File, duplicate_window: DEDUP_WINDOW };
  const existing = await jsm.streams.info(config.name).catch((err) => {
    if (isStreamNotFound(err)) return null;
    throw err;
  });
  if (!existing) {
    await jsm.streams.add({ ...full, num_replicas: replicas });
    return;
  }
  await keepReplicas(jsm, config.name, existing.config.num_replicas, replicas);
  await jsm.streams.update(config.name, full);
}
