import type { Actor } from '../../domain/actor.ts';
import { isAgentAddress, parseAgentAddress, rigOfAgent } from '../../domain/agent-address.ts';
import type { Principal, Scope } from '../../domain/authorization.ts';
import type { Bead } from '../../domain/bead.ts';
import type { Ledger } from '../../ledger/port.ts';
import { list, optString } from '../args.ts';
import { resolveBeadRef } from '../bead-ref.ts';
import type { Args } from '../syntax.ts';

/**
 * Facts the scope resolvers (scopes.ts) gather about what a command touches: the beads it
 * names and their rigs, and whether they are the calling agent's own work.
 */
export interface ScopeInput {
  args: Args;
  ledger: Ledger;
  actor: Actor;
  who: Principal;
  /** The caller's own mail addresses (people.ts mailAddressesOf). */
  mailAddresses: readonly string[];
}

export type Resolver = (input: ScopeInput) => Promise<Scope>;

/**
 * Unknown ids add nothing here: the verb itself refuses them with a clear not-found. Aliases
 * (`<root>.<step>`, bead-ref.ts) are resolved as the verb resolves them, so the checks see the
 * real bead; one that names nothing is refused here already (fail closed: it never counts as
 * "nothing of someone else's").
 */
export async function beadsNamed(ledger: Ledger, args: Args, ...names: string[]): Promise<Bead[]> {
  const raws = [...new Set(names.flatMap((n) => list(args, n)))];
  const ids: string[] = [];
  for (const raw of raws) ids.push(await resolveBeadRef(ledger, raw));
  return ids.length ? ledger.listBeads({ ids: [...new Set(ids)], all: true }) : [];
}

export const rigsOf = (beads: readonly { rig: string | null }[]): string[] => unique(beads.map((b) => b.rig));

export const unique = (rigs: readonly (string | null | undefined)[]): string[] => [
  ...new Set(rigs.filter((r): r is string => typeof r === 'string')),
];

/** The calling agent's address and rig, or null when the caller is not an agent. */
export const callerAgent = (who: Principal) => (who.kind === 'agent' ? who : null);

/** An agent's own bead: in its rig, and assigned to it or filed by it. */
export function ownBead(bead: Bead, agent: { address: string; rig: string | null }): boolean {
  return bead.rig === agent.rig && (bead.assignee === agent.address || bead.created_by === agent.address);
}

/** Why some of `beads` are not the agent's own (null: all are). */
export function notOwnBeads(beads: readonly Bead[], who: Principal): string | null {
  const agent = callerAgent(who);
  if (!agent) return null;
  const other = beads.find((b) => !ownBead(b, agent));
  if (!other) return null;
  return other.rig !== agent.rig
    ? `${other.id} belongs to rig ${other.rig ?? '(town)'}`
    : `${other.id} is not its own (assigned to ${other.assignee ?? 'nobody'}, filed by ${other.created_by})`;
}

/**
 * The agent a hook-side verb acts for: `--agent` or the caller. Checked strictly (it becomes a
 * subject token and a KV key), so `a..b` is a usage error here, before anything runs.
 */
export function agentArg(args: Args, actor: Actor, name = 'agent'): string {
  const raw = optString(args, name);
  return parseAgentAddress(raw ?? actor.id, raw === undefined ? 'your address (set --agent)' : `--${name}`);
}

/** Scope of a verb acting for one agent: that agent's rig; an agent may act only for itself. */
export function forAgent(agent: string, who: Principal): Scope {
  const self = callerAgent(who);
  return {
    rigs: unique([rigOfAgent(agent)]),
    notOwn: self && self.address !== agent ? `it may act only for itself, not ${agent}` : null,
  };
}

/** The rig an address (`beta/Nux`, `@beta`) reaches, if any. */
export function rigOfAddress(raw: string): string | null {
  const text = raw.trim();
  if (text.startsWith('@')) return text.slice(1);
  return isAgentAddress(text) ? rigOfAgent(text) : null;
}
