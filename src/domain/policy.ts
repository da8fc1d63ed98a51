import { MAYOR } from './agent-address.ts';
import type { Person } from './people.ts';
import { OWNER, OWNER_ROLE, type Permission, PLANNER, PLANNER_ROLE, type Role } from './permissions.ts';

/**
 * The policy file, parsed (app/policy-file.ts): named roles and who holds them — chat users and
 * groups per platform, CLI operator users, and agents given more than their own work (the Mayor).
 * Pure: authorization.ts decides with it.
 */
export type Platform = 'slack' | 'discord';

/** A chat user as the platform vouched for them (signature checked): user id and group/role ids. */
export interface ChatPrincipal {
  platform: Platform;
  user: string;
  /** Slack user group ids, or Discord role ids. */
  groups: string[];
  /** Display handle for messages (`@alice`); not used for decisions. */
  name?: string;
}

export interface PlatformMembers {
  /** user id → role names */
  users: Record<string, string[]>;
  /** Slack user group id or Discord role id → role names */
  groups: Record<string, string[]>;
}

export interface Policy {
  roles: Record<string, Role>;
  members: Record<Platform, PlatformMembers>;
  /**
   * CLI operator users → role names. Null (no `cli` section in the file): the town's `operator`
   * user is the owner and nobody else is an operator.
   */
  operators: Record<string, string[]> | null;
  /** Agent addresses (`mayor/`) → role names: rights beyond an agent's own work. */
  agents: Record<string, string[]>;
  /** What deciding a critical escalation takes in addition (no built-in role but owner has it). */
  criticalRequires: Permission;
  /** `human:<name>` → that person's chat accounts: mail to the name is theirs to read. */
  people: Readonly<Record<string, Person>>;
}

/** The NATS user `gt up` gives the town's operator. */
export const FULL_OPERATOR = 'operator';

export const EMPTY_POLICY: Policy = {
  roles: {},
  members: { slack: { users: {}, groups: {} }, discord: { users: {}, groups: {} } },
  operators: null,
  agents: {},
  criticalRequires: 'escalation:approve-critical',
  people: {},
};

// Own entries only: a user, group or role id such as `constructor` names nobody.
const own = <T>(map: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(map, key) ? map[key] : undefined;

function rolesNamed(policy: Policy, names: readonly string[]): Role[] {
  const builtIn = (n: string): Role | undefined =>
    n === OWNER_ROLE ? OWNER : n === PLANNER_ROLE ? PLANNER : undefined;
  return [...new Set(names)].flatMap((n) => builtIn(n) ?? own(policy.roles, n) ?? []);
}

export function chatRoles(policy: Policy, p: ChatPrincipal): Role[] {
  const members = policy.members[p.platform];
  return rolesNamed(policy, [
    ...(own(members.users, p.user) ?? []),
    ...p.groups.flatMap((g) => own(members.groups, g) ?? []),
  ]);
}

export function operatorRoles(policy: Policy, operator: string): Role[] {
  if (policy.operators === null) return operator === FULL_OPERATOR ? [OWNER] : [];
  return rolesNamed(policy, own(policy.operators, operator) ?? []);
}

/** The Mayor plans (PLANNER) unless the policy file says what it holds instead. */
export const agentRoles = (policy: Policy, address: string): Role[] =>
  rolesNamed(policy, own(policy.agents, address) ?? (address === MAYOR ? [PLANNER_ROLE] : []));

/** The operator users other than the full one: each gets NATS credentials of its own. */
export const namedOperators = (policy: Policy): string[] =>
  Object.keys(policy.operators ?? {}).filter((name) => name !== FULL_OPERATOR);
