/**
 * What a role can grant. One vocabulary for every principal that holds roles — chat users, CLI
 * operators and agents the policy file names (the Mayor) — so a rule reads the same whichever
 * interface a request came from. `admin` grants every permission but the explicit-only ones.
 */
export const PERMISSIONS = [
  'read',
  'bead:write',
  'convoy:create',
  'convoy:launch',
  'sling',
  'escalation:ack',
  'escalation:approve',
  'escalation:approve-critical',
  'mail:send',
  'mail:admin',
  'polecat:manage',
  'audit:read',
  'mq:write',
  'mq:override',
  'gate:approve',
  'mq:freeze',
  'agent:approve',
  'budget:extend',
  'admin',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * Permissions `admin` does not imply: a role grants them only by naming them. Landing work whose
 * gates did not pass (`mq:override`) is a decision a town gives someone on purpose — no built-in
 * role, the owner's included, has it.
 */
export const EXPLICIT_ONLY: readonly Permission[] = ['mq:override'];

/** A named set of permissions, limited to some rigs (`*`: every rig and town-level work). */
export interface Role {
  permissions: readonly Permission[];
  rigs: readonly string[];
}

/**
 * The role every permission comes with, in every rig. Built in so a town without a policy file
 * still has someone who can run it: the CLI operator holds it unless the policy file says otherwise.
 */
export const OWNER_ROLE = 'owner';
export const OWNER: Role = { permissions: ['admin'], rigs: ['*'] };

/**
 * What planning takes, and all the Mayor holds unless the policy file names `mayor/`: write beads
 * and their dependencies in any rig and stage a convoy — never launch, sling, merge or decide
 * (a person launches the plan from its card). `gt done` and its own mail need no role.
 */
export const PLANNER_ROLE = 'planner';
export const PLANNER: Role = { permissions: ['read', 'bead:write', 'convoy:create'], rigs: ['*'] };

const grants = (role: Role, permission: Permission): boolean =>
  role.permissions.includes(permission) ||
  (role.permissions.includes('admin') && !EXPLICIT_ONLY.includes(permission));

const covers = (role: Role, rig: string | null): boolean =>
  role.rigs.includes('*') || (rig !== null && role.rigs.includes(rig));

/** Whether some role grants `permission` for `rig` (null: town-level work, which needs `*`). */
export const allowsIn = (roles: readonly Role[], permission: Permission, rig: string | null): boolean =>
  roles.some((r) => grants(r, permission) && covers(r, rig));

/** Whether some role grants `permission` in at least one rig. */
export const allowsAnywhere = (roles: readonly Role[], permission: Permission): boolean =>
  roles.some((r) => grants(r, permission));

/** Holds every permission (but the explicit-only ones) everywhere. */
export const isAllPowerful = (roles: readonly Role[]): boolean =>
  roles.some((r) => r.permissions.includes('admin') && r.rigs.includes('*'));
