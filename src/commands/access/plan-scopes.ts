import type { Scope } from '../../domain/authorization.ts';
import { parseRigName } from '../../domain/rig.ts';
import { list, reqString } from '../args.ts';
import { trackedBeads } from '../gt/convoy/tracked.ts';
import { loadPlan } from '../gt/plan/plan-record.ts';
import { type Resolver, rigsOf, unique } from './scope-facts.ts';

/**
 * A plan is asked for the rigs named (`--rig`), or for the whole town (no rig named: the Mayor
 * may plan anywhere, so only a town-wide role may ask). Deciding a plan touches every rig its
 * beads are in, and the rigs it was asked for.
 */
export const planRequestScope: Resolver = async ({ args }) => ({
  rigs: unique(list(args, 'rig').map((r) => parseRigName(r))),
});

export const planDecisionScope: Resolver = async ({ args, ledger }): Promise<Scope> => {
  const r = await loadPlan(ledger, reqString(args, 'id')).catch(() => null);
  if (!r) return { rigs: 'any' }; // the command itself says what is wrong with the id
  const beads = r.convoy ? await trackedBeads(ledger, r.convoy.id) : [];
  return { rigs: unique([...r.facts.rigs, ...rigsOf(beads)]) };
};
