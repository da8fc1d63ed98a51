/**
 * Which gate a rig's queue is running now, for whom, since when: published by the refinery as
 * each gate starts (NATS core, not the ledger: it is gone the moment the next one starts) and
 * shown on the rig's merge-queue card ("gate 2/3 `npm test` — 0:42").
 */
export interface GateProgress {
  rig: string;
  /** The MRs being verified (a batch's members). */
  mrs: string[];
  command: string;
  /** 1-based, of `of` gates. */
  index: number;
  of: number;
  started_at: string;
}

const isString = (v: unknown): v is string => typeof v === 'string';

/** A progress message read back from the wire, or null when it is not one (ignored). */
export function parseGateProgress(raw: unknown): GateProgress | null {
  const p = raw as Partial<GateProgress> | null;
  if (!p || !isString(p.rig) || !isString(p.command) || !isString(p.started_at)) return null;
  if (!Array.isArray(p.mrs) || !p.mrs.every(isString)) return null;
  if (!Number.isInteger(p.index) || !Number.isInteger(p.of)) return null;
  return p as GateProgress;
}
