import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { usageError } from '../domain/errors.ts';
import { SEVERITIES } from '../domain/escalation.ts';
import type { Person } from '../domain/people.ts';
import { CHAT_PERMISSIONS, EMPTY_POLICY, type Policy } from '../domain/policy.ts';
import { NO_ROUTING, type Routing } from '../domain/routing.ts';

/**
 * The chat policy file (issue 6 item 5): roles and their permissions per rig, which Slack users
 * and user groups and which Discord users and roles hold them, and where messages go. JSON at
 * `config/policy.json` of the checkout, or `GT_POLICY_FILE`. See docs/chat.md for an example.
 */
const ids = z.record(z.string().min(1), z.array(z.string().min(1)));
const perPlatform = z
  .object({ slack: z.string().min(1).nullable(), discord: z.string().min(1).nullable() })
  .partial();
const Schema = z
  .object({
    roles: z.record(
      z.string().min(1),
      z.object({
        permissions: z.array(z.enum(CHAT_PERMISSIONS)),
        rigs: z.array(z.string().min(1)).default(['*']),
      }),
    ),
    slack: z
      .object({ users: ids.default({}), usergroups: ids.default({}) })
      .default({ users: {}, usergroups: {} }),
    discord: z.object({ users: ids.default({}), roles: ids.default({}) }).default({ users: {}, roles: {} }),
    critical_requires: z.enum(CHAT_PERMISSIONS).default('escalation:approve-critical'),
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

/** Reads and checks the policy file; a missing default file means nobody may act from chat. */
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
  return {
    path,
    people: Object.fromEntries(
      Object.entries(p.people).map(([name, ids]) => [
        name,
        Object.fromEntries(Object.entries(ids).filter(([, v]) => typeof v === 'string')) as Person,
      ]),
    ),
    policy: {
      roles: p.roles,
      members: {
        slack: { users: p.slack.users, groups: p.slack.usergroups },
        discord: { users: p.discord.users, groups: p.discord.roles },
      },
      criticalRequires: p.critical_requires,
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
