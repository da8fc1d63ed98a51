/**
 * Whether a failed NATS call means "NATS cannot do this right now" rather than "this is wrong":
 * no answer in time, no responders (a KV bucket or stream whose leader died and whose new one is
 * still being elected on a cluster), JetStream not (yet) available, a connection closed under the
 * call. A command that fails this way answers `unavailable` (exit 3), which agents retry, as they
 * do when the ledger is away: a polecat whose `gt heartbeat` met a NATS node's death must not give
 * up its bead (test/faults/nats-cluster.test.ts saw it as "internal error", exit 1).
 */
const OUTAGE_NAMES = new Set([
  'TimeoutError',
  'NoResponders',
  'JetStreamNotEnabled',
  'ClosedConnectionError',
  'ConnectionError',
]);
const OUTAGE_MESSAGE = /\bno responders\b|jetstream is not enabled|temporarily unavailable/i;

export function isNatsOutage(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (OUTAGE_NAMES.has(e.name) || OUTAGE_MESSAGE.test(e.message)) return true;
    if ((e as { code?: unknown }).code === 503) return true;
  }
  return false;
}
