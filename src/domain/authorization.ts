import type { VerbAccess } from './access-matrix.ts';
import type { Actor } from './actor.ts';
import {
  allowsAnywhere,
  allowsIn,
  EXPLICIT_ONLY,
  isAllPowerful,
  type Permission,
  type Role,
} from './permissions.ts';
import { agentRoles, chatRoles, FULL_OPERATOR, operatorRoles, type Policy } from './policy.ts';

/**
 * The policy's view of an actor: what kind of principal it is and the roles it holds. Chat users
 * and CLI operators are both people; agents hold roles only when the policy file names them.
 */
export type Principal =
  | { kind: 'person'; name: string; roles: Role[] }
  | { kind: 'agent'; address: string; rig: string | null; roles: Role[] }
  | { kind: 'runner'; rig: string }
  | { kind: 'system'; name: string };

const RUNNER_ID = 'runner:';

export function principalOf(actor: Actor, policy: Policy): Principal {
  if (actor.principal)
    return {
      kind: 'person',
      name: actor.principal.name ?? actor.id,
      roles: chatRoles(policy, actor.principal),
    };
  if (actor.kind === 'human')
    return { kind: 'person', name: actor.id, roles: operatorRoles(policy, actor.operator ?? FULL_OPERATOR) };
  if (actor.kind === 'agent') {
    const [rig, name] = actor.id.split('/');
    return {
      kind: 'agent',
      address: actor.id,
      rig: rig && name ? rig : null,
      roles: agentRoles(policy, actor.id),
    };
  }
  if (actor.id.startsWith(RUNNER_ID)) return { kind: 'runner', rig: actor.id.slice(RUNNER_ID.length) };
  return { kind: 'system', name: actor.id };
}

/**
 * What a command touches, as the command layer found it (commands/access/scopes.ts):
 *  - `rigs`: every rig whose objects it reads or changes; `[]` is town-level work (only roles
 *    covering `*` reach it); `'any'` means the permission held in some rig is enough.
 *  - `permission`: a stronger permission these objects need than the verb's own (someone
 *    else's mail needs `mail:admin`).
 *  - `critical`: it decides a critical escalation (the policy's `criticalRequires` as well).
 *  - `notOwn`: for an agent, why these objects are not its own work; null when they are (absent:
 *    nobody looked, so they are not).
 */
export interface Scope {
  rigs: readonly string[] | 'any';
  permission?: Permission;
  critical?: boolean;
  /** A permission these objects need on top of the verb's (the verb's row names it: `extra`). */
  alsoNeeds?: Permission;
  notOwn?: string | null | undefined;
}

/** Whether the decision for this principal depends on what the command touches. */
export function scopeMatters(access: VerbAccess, who: Principal): boolean {
  switch (who.kind) {
    case 'system':
      return false;
    case 'runner':
      return access.runner === 'own-rig';
    case 'agent':
      return access.agent !== 'never' && access.agent !== 'allow';
    case 'person':
      // An explicit-only permission is not in an all-powerful role: the objects decide again.
      return (
        !isAllPowerful(who.roles) || EXPLICIT_ONLY.includes(access.permission) || access.extra !== undefined
      );
  }
}

/** Null when allowed; otherwise the refusal's reason, saying what is missing. */
export function authorize(
  verb: string,
  access: VerbAccess,
  who: Principal,
  scope: Scope | null,
  policy: Pick<Policy, 'criticalRequires'>,
): string | null {
  switch (who.kind) {
    case 'system':
      return access.system === 'allow' ? null : `the service's own jobs may not run ${verb}`;
    case 'runner':
      return runnerDecision(verb, access, who.rig, scope);
    case 'agent':
      return agentDecision(verb, access, who, scope, policy);
    case 'person':
      return roleDecision(verb, access, who.name, who.roles, scope, policy);
  }
}

function runnerDecision(verb: string, access: VerbAccess, rig: string, scope: Scope | null): string | null {
  if (access.runner === 'allow') return null;
  const rigs = scope?.rigs;
  if (access.runner === 'own-rig' && Array.isArray(rigs) && rigs.length > 0 && rigs.every((r) => r === rig))
    return null;
  return access.runner === 'own-rig'
    ? `the runner of ${rig} may run ${verb} only for ${rig}'s own polecats`
    : `a rig runner may not run ${verb}`;
}

function agentDecision(
  verb: string,
  access: VerbAccess,
  who: Extract<Principal, { kind: 'agent' }>,
  scope: Scope | null,
  policy: Pick<Policy, 'criticalRequires'>,
): string | null {
  if (access.agent === 'allow') return null;
  if (access.agent === 'never')
    return `agents may not run ${verb}: it is a person's decision (${access.permission})`;
  if (access.agent === 'own' && scope?.notOwn === null) return null;
  const granted =
    who.roles.length > 0 ? roleDecision(verb, access, who.address, who.roles, scope, policy) : '';
  if (granted === null) return null;
  if (access.agent === 'own')
    return `${who.address} may run ${verb} only on its own work: ${scope?.notOwn ?? 'not its own'} (anything else needs ${scope?.permission ?? access.permission} from the policy file)`;
  return `${who.address} may not run ${verb}: it needs ${access.permission}, which an agent has only when the policy file grants it`;
}

function roleDecision(
  verb: string,
  access: VerbAccess,
  name: string,
  roles: readonly Role[],
  scope: Scope | null,
  policy: Pick<Policy, 'criticalRequires'>,
): string | null {
  const permission = scope?.permission ?? access.permission;
  const rigs = scope?.rigs ?? 'any';
  const missing = missingIn(roles, permission, rigs);
  if (missing !== null) return `${name} may not run ${verb}: it needs ${missing}`;
  if (scope?.critical && missingIn(roles, policy.criticalRequires, rigs) !== null)
    return `${name} may not run ${verb}: it needs ${policy.criticalRequires} (the escalation is critical)`;
  const extra = scope?.alsoNeeds && missingIn(roles, scope.alsoNeeds, rigs);
  if (extra) return `${name} may not run ${verb} so: it needs ${extra} as well`;
  return null;
}

/** The permission (and rig) the roles lack, or null. */
function missingIn(
  roles: readonly Role[],
  permission: Permission,
  rigs: readonly string[] | 'any',
): string | null {
  if (rigs === 'any') return allowsAnywhere(roles, permission) ? null : permission;
  const needed = rigs.length > 0 ? rigs : [null];
  const rig = needed.find((r) => !allowsIn(roles, permission, r));
  if (rig === undefined) return null;
  return rig === null ? `${permission} on every rig (town-level work)` : `${permission} on rig ${rig}`;
}

/** Whether the principal could run the verb somewhere (what chat `help` lists). */
export function mayEverRun(access: VerbAccess, who: Principal): boolean {
  if (who.kind === 'person') return allowsAnywhere(who.roles, access.permission);
  return authorize('', access, who, { rigs: 'any', notOwn: null }, { criticalRequires: 'admin' }) === null;
}
