import type { Bead } from './bead.ts';
import { respawnCount } from './respawns.ts';
import { incarnationOf } from './usage-limit-requeues.ts';
import { currentProcess, type Signals } from './witness.ts';

/** What the ledger and the live bus know about one polecat slot, before interpretation. */
export interface PolecatObservation {
  now: Date;
  address: string;
  /** When the slot was taken for its bead. */
  slotTakenAt: string;
  /** The slot's bead as the ledger has it now (null: gone). */
  bead: HookBead | null;
  process: Signals['process'];
  heartbeatAt: string | null;
}

/** The fields of a bead its hook state is read from. */
export type HookBead = Pick<Bead, 'id' | 'status' | 'assignee' | 'labels' | 'updated_at'>;

const isHookedTo = (bead: HookBead | null, address: string): bead is HookBead =>
  bead !== null && bead.assignee === address && (bead.status === 'hooked' || bead.status === 'in_progress');

/**
 * Turns an observation into the witness's signals. The spawn time is the runner's own start
 * time for the current incarnation when it has reported one; until then it is the latest change
 * to the hook (the claim or the respawn compare-and-swap), so a respawned polecat gets its spawn
 * grace again and is never judged on its predecessor's report.
 */
export function signalsFor(o: PolecatObservation): Signals {
  const hooked = isHookedTo(o.bead, o.address) ? o.bead : null;
  const respawns = hooked ? respawnCount(hooked) : 0;
  const hookChangedAt = hooked && hooked.updated_at > o.slotTakenAt ? hooked.updated_at : o.slotTakenAt;
  const signals: Signals = {
    now: o.now,
    hookedBead: hooked?.id ?? null,
    spawnedAt: hookChangedAt,
    process: o.process,
    heartbeatAt: o.heartbeatAt,
    respawns,
    incarnation: hooked ? incarnationOf(hooked) : 0,
  };
  return { ...signals, spawnedAt: currentProcess(signals)?.started_at ?? hookChangedAt };
}
