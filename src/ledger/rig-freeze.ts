import { conflict, type DomainError } from '../domain/errors.ts';
import { describeFreeze, type MqFreeze, type Rig } from '../domain/rig.ts';
import type { LedgerEventType } from './port.ts';

/**
 * Why freezing (`freeze` given) or thawing (null) `rig`'s merge queue cannot apply to it as it is
 * now, or null when it can. Both adapters ask it inside their compare-and-swap on the rig, so of
 * two concurrent freezes the second is told about the first.
 */
export function freezeRefusal(rig: Rig, freeze: MqFreeze | null): DomainError | null {
  if (freeze && rig.mq_frozen) {
    return conflict(
      'mq_frozen',
      `rig ${rig.name}'s merge queue is already ${describeFreeze(rig.mq_frozen)}; thaw it first (gt mq thaw ${rig.name})`,
      { mq_frozen: rig.mq_frozen },
    );
  }
  if (!freeze && !rig.mq_frozen) {
    return conflict(
      'mq_not_frozen',
      `rig ${rig.name}'s merge queue is not frozen; nothing to thaw (see gt mq list ${rig.name})`,
    );
  }
  return null;
}

/** The event of a freeze or thaw of `rig` (as it was before): its type and data. */
export function freezeEvent(
  rig: Rig,
  freeze: MqFreeze | null,
): { type: LedgerEventType; data: Record<string, unknown> } {
  return freeze
    ? { type: 'rig_frozen', data: { mq_frozen: freeze } }
    : { type: 'rig_thawed', data: { mq_frozen: null, was: rig.mq_frozen } };
}
