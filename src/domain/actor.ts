import type { ChatPrincipal } from './policy.ts';

/** Who issues a command. Every command carries one; every mutation's audit record names it. */
export type ActorKind = 'human' | 'agent' | 'system';

/**
 * The actor of a command, as the interface it arrived through established it — never from a
 * field the caller sets: the NATS subject its user may publish on, the platform's signature, or
 * the service itself (cron jobs). See principal.ts for what the policy makes of it.
 */
export interface Actor {
  kind: ActorKind;
  /**
   * A person's handle (`alice`, `slack:U123`), an agent address (`myrig/Toast`, `mayor/`) or a
   * service name (`witness`, `runner:myrig`). Written as the author of what the command changes.
   */
  id: string;
  /** A chat user, as the platform vouched for them (set by the in-process chat adapters). */
  principal?: ChatPrincipal;
  /**
   * A person at the CLI: the operator user they logged in to NATS with (`operator`, or a narrower
   * operator the policy file names). Absent on a human actor: the town's full operator.
   */
  operator?: string;
}
