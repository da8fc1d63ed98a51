import type { MessageBody } from './discord-rest.ts';

/** What a Discord message may notify: nothing parsed from its text, only the ids listed. */
export interface AllowedMentions {
  parse: [];
  users?: string[];
  roles?: string[];
}

const ZWSP = '\u200b';

/**
 * Text written by people or agents, made inert for Discord: `@everyone`, `@here` and `<@…>` /
 * `<@&…>` get a zero-width space after the `@`, so they show as typed but neither notify nor render
 * as a mention. `allowed_mentions` (below) is what stops the ping; this keeps a title from looking
 * like the service mentioned someone.
 */
export const inertText = (s: string): string =>
  s.replace(/@(everyone|here)/g, `@${ZWSP}$1`).replace(/<@/g, `<@${ZWSP}`);

/**
 * The `allowed_mentions` of a message carrying the routed on-call mention from the policy file
 * (`<@user>`, `<@!user>`, `<@&role>`): exactly those ids, nothing parsed. `@everyone`/`@here` in
 * the policy are never allowed (route to a role instead).
 */
export function mentionsOf(mention: string | null): AllowedMentions {
  const users: string[] = [];
  const roles: string[] = [];
  for (const [, kind, id] of (mention ?? '').matchAll(/<@([!&]?)([^<>\s@]+)>/g)) {
    if (kind === '&') roles.push(id as string);
    else users.push(id as string);
  }
  return { parse: [], ...(users.length ? { users } : {}), ...(roles.length ? { roles } : {}) };
}

/**
 * The last word on every message body the service sends or edits (DiscordRest calls it): mentions
 * are never parsed from the text, whatever a renderer said; only ids a renderer listed explicitly
 * (the routed on-call) may notify.
 */
export function withAllowedMentions(body: MessageBody): MessageBody {
  const given = (body.allowed_mentions ?? {}) as { users?: unknown; roles?: unknown };
  const ids = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const users = ids(given.users);
  const roles = ids(given.roles);
  return {
    ...body,
    allowed_mentions: { parse: [], ...(users.length ? { users } : {}), ...(roles.length ? { roles } : {}) },
  };
}

/** Interaction response types whose `data` is a message (reply, deferred reply, update). */
const MESSAGE_RESPONSES = new Set([4, 5, 7]);

/** An interaction response, with `allowed_mentions` on its message data (see withAllowedMentions). */
export function inertResponse<R extends { type: number; data?: unknown }>(r: R): R {
  if (!MESSAGE_RESPONSES.has(r.type)) return r;
  return { ...r, data: withAllowedMentions((r.data ?? {}) as MessageBody) };
}
