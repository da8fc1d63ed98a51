import type { Bead, NewBead } from '../domain/bead.ts';
import type { Dependency, DepType } from '../domain/dependency.ts';
import { DomainError } from '../domain/errors.ts';
import type { Ledger, WriteContext } from '../ledger/port.ts';

/** The writes of a many-bead creation (a cooked formula, a planner's graph), each remembered. */
export interface TrackedWrites {
  createBead(input: NewBead): Promise<Bead>;
  addDependency(issueId: string, dependsOnId: string, type: DepType): Promise<Dependency>;
  /** How many beads were written so far. */
  readonly created: number;
}

/**
 * Runs `body`'s writes as one unit as far as the user can tell. The ledger has no transaction
 * across calls, so when one fails part-way the ones before are undone before the failure is
 * reported: an edge it put on a bead that was there before is removed (that bead would
 * otherwise stay waiting on a closed one, or on nothing), and every bead it created is closed,
 * children first, with a reason saying why — nothing half-made stays open. Closing instead of
 * deleting keeps the ids and the history: the ledger never deletes.
 */
export async function allOrNothing<T>(
  ledger: Ledger,
  write: WriteContext,
  what: string,
  body: (w: TrackedWrites) => Promise<T>,
): Promise<T> {
  const beads: string[] = [];
  const edges: Array<[string, string]> = [];
  const tracked: TrackedWrites = {
    async createBead(input) {
      const bead = await ledger.createBead(input, write);
      beads.push(bead.id);
      return bead;
    },
    async addDependency(issueId, dependsOnId, type) {
      const dep = await ledger.addDependency(issueId, dependsOnId, type, write);
      edges.push([issueId, dependsOnId]);
      return dep;
    },
    get created() {
      return beads.length;
    },
  };
  try {
    return await body(tracked);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    await undo(ledger, beads, edges, `${what} failed, nothing kept: ${why}`, write);
    // Outages and bugs go on as they are (the registry tells those apart by the error itself).
    if (!(err instanceof DomainError) || beads.length === 0) throw err;
    throw new DomainError(
      err.kind,
      err.code,
      `${err.message} (${what}: the ${beads.length} bead(s) written before this were closed, nothing is kept; fix it and run it again)`,
      err.details,
    );
  }
}

async function undo(
  ledger: Ledger,
  beads: readonly string[],
  edges: ReadonlyArray<[string, string]>,
  reason: string,
  write: WriteContext,
): Promise<void> {
  const ours = new Set(beads);
  // Best effort: the failure may be the store going away, and then these fail too.
  for (const [issue, dependsOn] of [...edges].reverse())
    if (!ours.has(issue)) await ledger.removeDependency(issue, dependsOn, write).catch(() => undefined);
  // Children first: a container closes after what it holds.
  for (const id of [...beads].reverse())
    await ledger.closeBead(id, { reason: reason.slice(0, 500), force: true }, write).catch(() => undefined);
}
