/**
 * Retention of the event log and the audit trail (docs/decisions.md, "Retention of events and
 * audit"): what a compaction may delete, computed from the settings, the marks of the event log's
 * consumers and the time. Pure: the ledger adapters apply it, the cron job supplies the inputs.
 *
 * What the features read, and so what is kept:
 *  - the event relay reads `eventsSince(mark)`: every event after its published mark is kept,
 *    whatever its age, and so is the event at the mark (the newest event is never deleted, so the
 *    MongoDB log's "highest + 1" numbering never restarts);
 *  - `gt audit --limit N` reads the newest N records (N ≤ AUDIT_LIST_MAX): the newest
 *    AUDIT_LIST_MAX records are kept, whatever their age;
 *  - idempotency keys are only asked about until they expire: expired ones go.
 */

/** The most records `gt audit` lists (its --limit bound); they are always kept. */
export const AUDIT_LIST_MAX = 10_000;

/** Rows per delete: one short write transaction each, so other writers wait milliseconds, not seconds. */
export const COMPACTION_BATCH = 2_000;

export interface RetentionSettings {
  /** Events older than this many days may go (0: keep them all). */
  eventDays: number;
  /** Audit records older than this many days may go (0: keep them all). */
  auditDays: number;
}

export interface RetentionPolicy {
  /** Null: keep every event. */
  events: {
    /** Only events written before this instant (ISO) may go… */
    before: string;
    /** …and only below this seq: the lowest mark a consumer still needs (it and above are kept). */
    belowSeq: number;
  } | null;
  /** Null: keep every record. */
  audit: {
    before: string;
    /** The newest this many records stay, however old. */
    keepNewest: number;
  } | null;
  /** Idempotency keys that expired by this instant go (they answer "first time" anyway). */
  keysExpiredBy: string;
  /** Rows per delete statement. */
  batch: number;
}

/** How many rows a compaction removed. */
export interface Compacted {
  events: number;
  audit: number;
  keys: number;
}

const DAY_MS = 24 * 3600_000;

/**
 * The policy at `now`. `consumerMarks`: the last seq each consumer of the event log has taken
 * (the relay's published mark); an empty list means no mark is known, and then no event goes —
 * an event nobody is known to have published may be one somebody still needs.
 */
export function retentionPolicy(
  settings: RetentionSettings,
  consumerMarks: readonly number[],
  now: Date,
  batch = COMPACTION_BATCH,
): RetentionPolicy {
  const cutoff = (days: number) => new Date(now.getTime() - days * DAY_MS).toISOString();
  const floor = consumerMarks.length > 0 ? Math.min(...consumerMarks) : 0;
  return {
    events:
      settings.eventDays > 0 && floor > 0 ? { before: cutoff(settings.eventDays), belowSeq: floor } : null,
    audit: settings.auditDays > 0 ? { before: cutoff(settings.auditDays), keepNewest: AUDIT_LIST_MAX } : null,
    keysExpiredBy: now.toISOString(),
    batch: Math.max(1, Math.floor(batch)),
  };
}
