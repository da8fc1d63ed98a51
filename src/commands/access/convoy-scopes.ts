import type { Scope } from '../../domain/authorization.ts';
import type { Bead } from '../../domain/bead.ts';
import { parseId } from '../../domain/validation.ts';
import type { Ledger } from '../../ledger/port.ts';
import { list, optString } from '../args.ts';
import { trackedBeads } from '../gt/convoy/tracked.ts';
import { beadsNamed, type Resolver, rigsOf, unique } from './scope-facts.ts';

/**
 * What convoy verbs touch. A convoy spans rigs: changing it needs the permission in every rig it
 * tracks (and in the rigs of beads being added). An empty convoy is town-level work.
 */

/** The rigs of what a bead stands for: a convoy's tracked beads, an epic's descendants, else its own. */
async function rigsReachedBy(ledger: Ledger, bead: Bead): Promise<string[]> {
  if (bead.issue_type === 'convoy') return rigsOf(await trackedBeads(ledger, bead.id));
  if (bead.issue_type !== 'epic') return unique([bead.rig]);
  const all: Bead[] = [bead];
  for (let i = 0; i < all.length; i++)
    all.push(...(await ledger.listBeads({ parent: (all[i] as Bead).id, all: true })));
  return rigsOf(all);
}

async function rigsReachedByAll(ledger: Ledger, beads: readonly Bead[]): Promise<string[]> {
  return unique((await Promise.all(beads.map((b) => rigsReachedBy(ledger, b)))).flat());
}

/** `gt convoy create <name> <id>…` / `--from-epic`: the rigs of the work it will track. */
export const convoyCreateScope: Resolver = async ({ args, ledger }) => {
  const [, ...ids] = list(args, 'words');
  const epic = optString(args, 'from-epic');
  const named = await ledger.listBeads({
    ids: [...ids, ...(epic ? [epic] : [])].map((r) => parseId(r)),
    all: true,
  });
  return { rigs: await rigsReachedByAll(ledger, named) };
};

/** Verbs naming an epic, a convoy or beads (`stage`, `launch`): every rig that work reaches. */
export const convoyInputScope: Resolver = async ({ args, ledger }) => ({
  rigs: await rigsReachedByAll(ledger, await beadsNamed(ledger, args, 'ids')),
});

/** `gt convoy add <convoy> <id>…`: the convoy's rigs and the added beads'. */
export const convoyAddScope: Resolver = async ({ args, ledger }) => {
  const convoy = optString(args, 'convoy');
  const rigs = convoy === undefined ? [] : await oneConvoyRigs(ledger, convoy);
  return { rigs: unique([...rigs, ...rigsOf(await beadsNamed(ledger, args, 'ids'))]) };
};

/** `close`, `land`, `check [<convoy>]`: the convoy's rigs; every convoy (town-level) without one. */
export const oneConvoyScope: Resolver = async ({ args, ledger }): Promise<Scope> => {
  const id = optString(args, 'convoy');
  return { rigs: id === undefined ? [] : await oneConvoyRigs(ledger, id) };
};

async function oneConvoyRigs(ledger: Ledger, raw: string): Promise<string[]> {
  const convoy = await ledger.getBead(parseId(raw, 'convoy'));
  return convoy ? rigsReachedBy(ledger, convoy) : [];
}
