/**
 * Nudges: real-time "look now" wake-ups (comms-supervision.md §2). Live over core NATS; when the
 * target is offline they wait in the ledger — briefly, because a stale wake-up is noise.
 */
export interface Nudge {
  id: string;
  to: string;
  from: string;
  message: string;
  urgent: boolean;
  created_at: string;
  expires_at: string;
}

export const NUDGE_TTL_MS = 30 * 60_000;
export const URGENT_NUDGE_TTL_MS = 2 * 3_600_000;
/** Pending nudges kept per agent; beyond this the oldest are dropped (and logged). */
export const MAX_PENDING_NUDGES = 50;
export const MAX_NUDGE_MESSAGE = 2_000;

export const nudgeExpiry = (now: Date, urgent: boolean): string =>
  new Date(now.getTime() + (urgent ? URGENT_NUDGE_TTL_MS : NUDGE_TTL_MS)).toISOString();
