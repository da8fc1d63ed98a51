import { randomUUID } from 'node:crypto';
import type { LedgerEventType, WriteContext } from '../port.ts';
import type { PendingEvent, Ripple } from './documents.ts';

/** What an event is about: a bead (and its rig), a rig alone, or neither (mail). */
export interface EventSubject {
  bead_id: string | null;
  rig: string | null;
}

export const ofBead = (bead: { id: string; rig: string | null }): EventSubject => ({
  bead_id: bead.id,
  rig: bead.rig,
});

/**
 * An event waiting in its document's outbox. Its `id` makes publishing idempotent; `queued_at` is
 * this process's wall clock (not the caller's `ctx.now`, which may be any time) so that a sweep can
 * tell an entry abandoned by a crashed writer from one its writer is publishing right now.
 */
export function pendingEvent(
  type: LedgerEventType,
  ctx: WriteContext,
  subject: EventSubject,
  data: Record<string, unknown>,
  ripple: Ripple = { kind: 'none' },
): PendingEvent {
  return {
    id: randomUUID(),
    type,
    bead_id: subject.bead_id,
    rig: subject.rig,
    actor: ctx.actor,
    at: ctx.now.toISOString(),
    data,
    ripple,
    queued_at: new Date(),
  };
}
