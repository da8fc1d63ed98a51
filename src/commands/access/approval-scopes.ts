import { approvalFacts, isApproval } from '../../domain/approval.ts';
import { parseId } from '../../domain/validation.ts';
import { optString } from '../args.ts';
import { callerAgent, type Resolver } from './scope-facts.ts';

/**
 * What a verb on one approval request touches: the rig of the bead it was asked for (people
 * decide it there, with `agent:approve`), and for an agent whether the request is its own — it
 * may wait on and give up its own requests, never anyone else's. An id that names no request
 * touches nothing here: the verb refuses it as not found (an agent, failing closed, as not its own).
 */
export const approvalScope: Resolver = async ({ args, ledger, who }) => {
  const raw = optString(args, 'id');
  const bead = raw === undefined ? null : await ledger.getBead(parseId(raw.trim(), 'approval request'));
  if (!bead || !isApproval(bead)) return { rigs: 'any' };
  const f = approvalFacts(bead);
  const agent = callerAgent(who);
  return {
    rigs: f.rig ? [f.rig] : [],
    notOwn:
      agent && agent.address !== f.agent ? `${bead.id} is ${f.agent || 'someone else'}'s request` : null,
  };
};
