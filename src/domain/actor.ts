import type { ChatPrincipal } from './policy.ts';

/** Who issues a command. Every command carries one; every mutation's audit record names it. */
export type ActorKind = 'human' | 'agent' | 'system';

export interface Actor {
  kind: ActorKind;
  /** A person's handle (`alice`, `slack:U123`), an agent address (`myrig/Toast`) or a service name. */
  id: string;
  /**
   * Set only by the in-process chat adapters after checking the platform's signature: the
   * command layer then authorizes against the chat policy (policy.ts) instead of the grants below.
   */
  principal?: ChatPrincipal;
}

/**
 * What a command needs. `read` looks, `write` changes work items, `admin` changes the town's
 * shape (rigs). The chat issue adds per-rig approval rights on top of this.
 */
export type Permission = 'read' | 'write' | 'admin';

const GRANTS: Record<ActorKind, readonly Permission[]> = {
  human: ['read', 'write', 'admin'],
  system: ['read', 'write', 'admin'],
  // Agents do their own work (create/close/comment beads) but do not reshape the town.
  agent: ['read', 'write'],
};

export const isAllowed = (actor: Actor, permission: Permission): boolean =>
  GRANTS[actor.kind].includes(permission);
