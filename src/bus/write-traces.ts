import type { Context } from '@opentelemetry/api';
import { activeContext, tracingEnabled } from './tracing.ts';

/**
 * Which trace made a ledger write, until the relay publishes its events.
 *
 * An event must carry the context of the command that wrote it (so the feeder and dispatcher
 * continue that trace), but the ledger's event rows have no place for it and the relay reads
 * them later, in its own loop. Every event of a write carries the write's actor and time
 * (`WriteContext`: `actor`, `now` → the event's `actor`, `at`), and the command layer makes that
 * WriteContext: so the command layer remembers `actor|at → context` here and the relay looks
 * its events up by the same key. Kept in memory, bounded, only while tracing is on:
 *  - an event published by another replica's relay starts its own trace (documented);
 *  - two commands of one actor in the same millisecond share a key: the later one's context
 *    wins — a mislabelled trace at worst, never a lost or altered event.
 * Storing a `traceparent` column on events instead would change both ledger adapters and the
 * contract suite for a diagnostic, so it was not done.
 */
const MAX = 10_000;
const writes = new Map<string, Context>();

const keyOf = (actor: string, at: string) => `${actor}\u0000${at}`;

/** Remembers the active context for a write of `actor` at `now`; returns the write unchanged. */
export function rememberWrite<T extends { actor: string; now: Date }>(write: T): T {
  const ctx = activeContext();
  if (!ctx) return write;
  const key = keyOf(write.actor, write.now.toISOString());
  writes.delete(key); // re-inserted last: the map's order is its eviction order
  writes.set(key, ctx);
  if (writes.size > MAX) writes.delete(writes.keys().next().value as string);
  return write;
}

/** The context of the write that made an event (its `actor` and `at`), if this process made it. */
export function contextOfWrite(event: { actor: string; at: string }): Context | undefined {
  if (!tracingEnabled()) return undefined;
  return writes.get(keyOf(event.actor, event.at));
}
