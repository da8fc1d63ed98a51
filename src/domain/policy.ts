/**
 * Chat RBAC (issue 6 item 5): who may do what from Slack or Discord, per rig. Pure: the policy
 * file is parsed and validated by the app; the command layer asks `authorize` before running a
 * verb for a chat principal. Humans on the CLI and agents keep the coarse grants of actor.ts.
 */
export const CHAT_PERMISSIONS = [
  'read',
  'bead:write',
  'convoy:create',
  'convoy:launch',
  'sling',
  'escalation:ack',
  'escalation:approve',
  'escalation:approve-critical',
  'mail:send',
  'admin',
] as const;
export type ChatPermission = (typeof CHAT_PERMISSIONS)[number];

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

export interface Role {
  permissions: ChatPermission[];
  /** Rigs the role applies to; `*` (the default) is every rig and town-level work. */
  rigs: string[];
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
  /** What deciding a critical escalation takes in addition (no built-in role has it). */
  criticalRequires: ChatPermission;
}

export const EMPTY_POLICY: Policy = {
  roles: {},
  members: { slack: { users: {}, groups: {} }, discord: { users: {}, groups: {} } },
  criticalRequires: 'escalation:approve-critical',
};

/** What a verb needs from a chat principal: a permission, in every rig it touches. */
export interface ChatNeed {
  permission: ChatPermission;
  /** Rigs the command acts in; empty means town-level work (only `*` roles cover it). */
  rigs: string[];
  /** Deciding a critical escalation: the policy's `criticalRequires` is needed too. */
  critical?: boolean;
}

export function rolesOf(policy: Policy, p: ChatPrincipal): Role[] {
  const members = policy.members[p.platform];
  // Own entries only: a user or group id such as `constructor` names nobody.
  const own = <T>(map: Record<string, T>, key: string): T | undefined =>
    Object.hasOwn(map, key) ? map[key] : undefined;
  const names = [
    ...(own(members.users, p.user) ?? []),
    ...p.groups.flatMap((g) => own(members.groups, g) ?? []),
  ];
  return [...new Set(names)].flatMap((n) => own(policy.roles, n) ?? []);
}

const grants = (role: Role, permission: ChatPermission): boolean =>
  role.permissions.includes('admin') || role.permissions.includes(permission);

const covers = (role: Role, rig: string | null): boolean =>
  role.rigs.includes('*') || (rig !== null && role.rigs.includes(rig));

/** Whether some role of the principal grants `permission` for `rig` (null: town-level). */
function allowsIn(roles: readonly Role[], permission: ChatPermission, rig: string | null): boolean {
  return roles.some((r) => grants(r, permission) && covers(r, rig));
}

/** Null when allowed; otherwise what is missing, for the refusal message. */
export function authorize(policy: Policy, p: ChatPrincipal, need: ChatNeed): string | null {
  const roles = rolesOf(policy, p);
  const rigs = need.rigs.length > 0 ? need.rigs : [null];
  const missing = rigs.find((rig) => !allowsIn(roles, need.permission, rig));
  if (missing !== undefined) return `${need.permission}${missing === null ? '' : ` on rig ${missing}`}`;
  if (need.critical && !rigs.every((rig) => allowsIn(roles, policy.criticalRequires, rig)))
    return `${policy.criticalRequires} (the escalation is critical)`;
  return null;
}

/** Whether the principal has the permission anywhere (what `help` lists). */
export const mayEver = (policy: Policy, p: ChatPrincipal, permission: ChatPermission): boolean =>
  rolesOf(policy, p).some((r) => grants(r, permission));
