import { rigOfAgent } from '../../domain/agent-address.ts';
import { resolveGraph } from '../bd/create-graph.ts';
import { callerAgent, notOwnBeads, type Resolver, rigsOf, unique } from './scope-facts.ts';

/**
 * `bd create --graph`: every rig a node goes to (worked out as the command will: create-graph.ts),
 * the rigs of the beads its edges name and of its assignees. An agent — `own` in the matrix —
 * may put a plan only in its own rig, add edges only to its own beads (as `bd dep add`), and
 * assign only itself; anything else needs bead:write from the policy file in each of those rigs.
 */
export const createGraphScope: Resolver = async ({ args, ledger, actor, who }) => {
  const { graph, existing, rigs: placed } = await resolveGraph(ledger, args, actor);
  const nodeRigs = [...placed.values()];
  const assignees = graph.nodes.flatMap((n) => (n.assignee ? [n.assignee] : []));
  const rigs = unique([...nodeRigs, ...rigsOf([...existing.values()]), ...assignees.map(rigOfAgent)]);
  const agent = callerAgent(who);
  if (!agent) return { rigs };
  // Edges whose dependent is an existing bead change that bead: it must be the agent's own.
  const changed = graph.edges.flatMap((e) => ('id' in e.from ? [existing.get(e.from.id)] : []));
  const elsewhere = nodeRigs.some((r) => r !== agent.rig);
  const other = assignees.find((a) => a !== agent.address);
  const notOwn = elsewhere
    ? `it may create beads only in its own rig (${agent.rig ?? 'none'})`
    : other
      ? `agents may not assign beads to others (${other})`
      : notOwnBeads(
          changed.filter((b) => b !== undefined),
          who,
        );
  return { rigs, notOwn };
};
