import { type Bead, STATUSES } from '../domain/bead.ts';
import {
  type Ancestor,
  ancestorsToClose,
  isFormulaRoot,
  MOLECULE_COMPLETE_REASON,
} from '../domain/molecule.ts';
import { isPlanCleanup } from '../domain/plan.ts';
import type { Ledger } from '../ledger/port.ts';
import type { Execute } from './stranded-scan.ts';

const NOT_CLOSED = STATUSES.filter((s) => s !== 'closed');

/**
 * After `closed` closed: close the containers and the root of its formula run that now hold
 * nothing open (domain/molecule.ts), nearest first, each with `bd close` through the command
 * layer (the caller's system actor: authorized and audited like any close), reason "All steps
 * complete". Each close is a compare-and-swap in the ledger (a bead closes once; an epic with an
 * open child refuses), so a redelivered event or a second replica closes nothing twice: the first
 * refusal ends the walk. Returns the ids closed.
 *
 * Not handled: a container whose children all closed while it still waited on its own `needs`
 * (the close is refused as blocked, and the later close of that blocker does not come back
 * here); a person closes it with `bd close`.
 */
export async function closeCompletedMolecule(
  ledger: Ledger,
  execute: Execute,
  closed: Bead,
): Promise<string[]> {
  const beads: Bead[] = [];
  for (let id = closed.parent; id !== null; ) {
    const b = await ledger.getBead(id);
    if (!b) break;
    beads.push(b);
    id = b.parent;
  }
  // Cheap for every other close: a plain epic's children, or work with no parent, stop here.
  const top = beads.at(-1);
  if (!top || !isFormulaRoot(top) || top.status === 'closed') return [];
  const chain: Ancestor[] = [];
  for (const b of beads) {
    const open = await ledger.listBeads({ parent: b.id, status: [...NOT_CLOSED], limit: 2 });
    chain.push({ ...b, openChildren: open.map((c) => c.id) });
  }
  // Steps closed by a discarded (or failed) plan did not complete: their containers say why.
  const reason = isPlanCleanup(closed.close_reason) ? closed.close_reason : MOLECULE_COMPLETE_REASON;
  const done: string[] = [];
  for (const id of ancestorsToClose(chain)) {
    const reply = await execute('bd close', { ids: [id], reason });
    if (!reply.ok) break;
    done.push(id);
  }
  return done;
}
