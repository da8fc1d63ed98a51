import { it } from 'vitest';
import type { Bead, NewBead } from '../../src/domain/bead.ts';
import type { Ledger, WriteContext } from '../../src/ledger/port.ts';

/** What each adapter's test file supplies to the shared contract suite. */
export interface LedgerFixture {
  ledger: Ledger;
  /** Opens a second ledger on the same storage (restart, or a second replica for Mongo). */
  reopen(): Promise<Ledger>;
  cleanup(): Promise<void>;
}
export type LedgerFactory = () => Promise<LedgerFixture>;

/** A deterministic clock: every call is one millisecond later. */
export function clock(start = Date.parse('2026-11-22T10:00:00.000Z')) {
  let t = start;
  return (actor = 'tester'): WriteContext => ({ actor, now: new Date(t++) });
}

export async function createMany(
  ledger: Ledger,
  ctx: () => WriteContext,
  titles: string[],
  extra: Partial<NewBead> = {},
) {
  const beads: Bead[] = [];
  for (const title of titles) beads.push(await ledger.createBead({ title, ...extra }, ctx()));
  return beads;
}

export const ids = (beads: readonly { id: string }[]) => beads.map((b) => b.id);

/** What the server can honour in the adapter's mode; registration-time (decides which tests exist). */
export interface ContractOptions {
  /** false: concurrent compare-and-swaps are not atomic here (mongodb mode on FerretDB). */
  races: boolean;
}

export const RACES_SKIPPED =
  '!!! SKIPPED: FerretDB does not apply conditional updates atomically, so the mongodb mode cannot win this race there; run MONGODB_URI=… npm run test:mongo !!!';

/** `it` for a test that races concurrent writers: skipped, saying so loudly, where `races` is false. */
export const raceIt = (s: { races: boolean }) =>
  s.races ? it : (name: string, fn: () => Promise<void>) => it.skip(`${name} ${RACES_SKIPPED}`, fn);
