import { describeFreeze } from '../../domain/rig.ts';
import type { Ledger } from '../../ledger/port.ts';

/** Why a rig's queue may land nothing now (`gt mq freeze`, read afresh), or null. */
export async function frozenNow(ledger: Pick<Ledger, 'getRig'>, rig: string): Promise<string | null> {
  const freeze = (await ledger.getRig(rig))?.mq_frozen;
  return freeze
    ? `${rig}'s merge queue is frozen (${describeFreeze(freeze)}); it lands after gt mq thaw ${rig}`
    : null;
}
