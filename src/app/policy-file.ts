import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { isAgentAddress } from '../domain/agent-address.ts';
import { usageError } from '../domain/errors.ts';
import { SEVERITIES } from '../domain/escalation.ts';
import type { Person } from '../domain/people.ts';
import { OWNER_ROLE, PERMISSIONS, PLANNER_ROLE } from '../domain/permissions.ts';
import { EMPTY_POLICY, type Policy } from '../domain/policy.ts';
import { NO_ROUTING, type Routing } from '../domain/routing.ts';

/**
 * The policy file: roles and their permissions per rig; which Slack users and user groups, Discord
 * users and roles, CLI operator users and agents hold them; where messages go. JSON at
 * `config/policy.json` of the checkout, or `GT_POLICY_FILE`. See docs/chat.md and docs/security.md.
 */
const ids = z.record(z.string().min(1), z.array(z.string().min(1)));
/** Operator names become NATS user names and subject tokens. */
const OPERATOR_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;
const perPlatform = z
  .object({ slack: z.string().min(1).nullable(), discord: z.string().min(1).nullable() })
  .partial();
const Schema = z
  .object({
    roles: z.record(
      z
        .string()
        .min(1)
        .refine((name) => name !== OWNER_ROLE, `"${OWNER_ROLE}" is built in (every permission)`)
        .refine((name) => name !== PLANNER_ROLE, `"${PLANNER_ROLE}" is built in (what the Mayor plans with)`),
      z.object({
        permissions: z.array(z.enum(PERMISSIONS)),
        rigs: z.array(z.string().min(1)).default(['*']),
      }),
    ),
    cli: z
      .object({
        users: z.record(
          z.string().regex(OPERATOR_NAME, 'an operator name is one word (letters, digits, - or _)'),
          z.array(z.string().min(1)),
        ),
      })
      .optional(),
    agents: z
      .record(
        z.string().refine(isAgentAddress, 'an agent address is <rig>/<name> or mayor/'),
        z.array(z.string().min(1)),
      )
      .default({}),
    slack: z
      .object({ users: ids.default({}), usergroups: ids.default({}) })
      .default({ users: {}, usergroups: {} }),
    discord: z.object({ users: ids.default({}), roles: ids.default({}) }).default({ users: {}, roles: {} }),
    critical_requires: z.enum(PERMISSIONS).default('escalation:approve-critical'),
    people: z
      .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,39}$/, 'a person is one word'), perPlatform)
      .default({}),
    routing: z
      .object({
        escalations: z
          .array(
            z.object({
              rigs: z.array(z.string().min(1)).default(['*']),
              severities: z.array(z.enum(SEVERITIES)).default([...SEVERITIES]),
              channel: perPlatform,
              mention: perPlatform.default({}),
            }),
          )
          .default([]),
        convoys: perPlatform.default({}),
      })
      .default({ escalations: [], convoys: {} }),
  })
  .strict();

export interface ChatPolicy {
  policy: Policy;
  routing: Routing;
  /** `human:<name>` mail addresses → chat accounts. */
  people: Record<string, Person>;
  path: string | null;
}

const both = (v: { slack?: string | null | undefined; discord?: string | null | undefined }) => ({
  slack: v.slack ?? null,
  discord: v.discord ?? null,
});

export function policyPath(env: NodeJS.ProcessEnv): string {
  return resolve(env.GT_POLICY_FILE ?? join(import.meta.dirname, '../../config/policy.json'));
}

/**
 * Reads and checks the policy file. A missing default file means the built-in policy: nobody
 * may act from chat, the CLI operator is the owner, agents do their own work only.
 */
export function loadChatPolicy(env: NodeJS.ProcessEnv): ChatPolicy {
  const path = policyPath(env);
  if (!existsSync(path)) {
    if (env.GT_POLICY_FILE) throw usageError('bad_policy', `GT_POLICY_FILE ${path} does not exist`);
    return { policy: EMPTY_POLICY, routing: NO_ROUTING, people: {}, path: null };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw usageError('bad_policy', `policy file ${path} is not JSON: ${(err as Error).message}`);
  }
  const parsed = Schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(top)'}: ${i.message}`);
    throw usageError('bad_policy', `policy file ${path} is invalid:\n${problems.join('\n')}`);
  }
  const p = parsed.data;
  const unknown = unknownRoles(p);
  if (unknown.length > 0)
    throw usageError(
      'bad_policy',
      `policy file ${path} names roles it does not define: ${unknown.join(', ')}; define them under "roles" (or use "${OWNER_ROLE}")`,
    );
  const people = Object.fromEntries(
    Object.entries(p.people).map(([name, ids]) => [
      name,
      Object.fromEntries(Object.entries(ids).filter(([, v]) => typeof v === 'string')) as Person,
    ]),
  );
  return {
    path,
    people,
    policy: {
      roles: p.roles,
      members: {
        slack: { users: p.slack.users, groups: p.slack.usergroups },
        discord: { users: p.discord.users, groups: p.discord.roles },
      },
      operators: p.cli?.users ?? null,
      agents: p.agents,
      criticalRequires: p.critical_requires,
      people,
    },
    routing: {
      escalations: p.routing.escalations.map((r) => ({
        ...r,
        channel: both(r.channel),
        mention: both(r.mention),
      })),
      convoys: both(p.routing.convoys),
    },
  };
}

/** Role names given to someone but defined nowhere (a typo would otherwise grant nothing, silently). */
function unknownRoles(p: z.infer<typeof Schema>): string[] {
  const given = [
    ...Object.values(p.slack.users),
    ...Object.values(p.slack.usergroups),
    ...Object.values(p.discord.users),
    ...Object.values(p.discord.roles),
    ...Object.values(p.cli?.users ?? {}),
    ...Object.values(p.agents),
  ].flat();
  return [...new Set(given)].filter(
    (name) => name !== OWNER_ROLE && name !== PLANNER_ROLE && !Object.hasOwn(p.roles, name),
  );
}
