import { usageError } from './errors.ts';

/**
 * Agent addresses: `<rig>/<name>` (a polecat, `alpha/witness`, a crew member) or `mayor/`. They
 * become NATS subject tokens and KV keys, so they are checked strictly wherever one is accepted:
 * a malformed one (`a..b`, `a/`, `a/b/c`, `*`) is a usage error, never an internal one.
 */
export const MAYOR = 'mayor/';

const RIG = /^[a-z][a-z0-9_-]{0,39}$/;
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;

export const AGENT_ADDRESS_RULE =
  '<rig>/<name> (rig: lower-case letters, digits, - or _; name: letters, digits, - or _; each starting with a letter, at most 40) or mayor/';

export function isAgentAddress(raw: unknown): raw is string {
  if (raw === MAYOR) return true;
  if (typeof raw !== 'string') return false;
  const [rig, name, ...rest] = raw.split('/');
  return rest.length === 0 && RIG.test(rig ?? '') && NAME.test(name ?? '');
}

export function parseAgentAddress(raw: unknown, what = '--agent'): string {
  if (isAgentAddress(raw)) return raw;
  throw usageError(
    'invalid_agent',
    `${what} ${JSON.stringify(raw)} is not an agent address; use ${AGENT_ADDRESS_RULE}`,
  );
}

/** The rig of an agent address; null for the mayor (it belongs to the town) and non-addresses. */
export function rigOfAgent(address: string): string | null {
  if (!isAgentAddress(address) || address === MAYOR) return null;
  return address.slice(0, address.indexOf('/'));
}

/** Where an actor's new beads go when it names no rig: an agent's own rig; town-level for others. */
export const homeRigOf = (actor: { kind: string; id: string }): string | null =>
  actor.kind === 'agent' ? rigOfAgent(actor.id) : null;
