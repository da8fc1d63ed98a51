import type { Recorded } from './recording-server.ts';

/**
 * Mention injection: the payload people and agents write into titles, details, mail and reasons,
 * and what each platform must (never) receive of it. Used on requests captured by a recording
 * server, so what is checked is exactly what the service sent.
 */
export const EVIL =
  '<!channel> <!here> <!everyone> <@U0VICTIM> <!subteam^S0EVIL> @everyone @here <@123456789012345678> <@&987654321098765432> & <b>';

/** The payload as Slack must receive it: `&`, `<`, `>` escaped (Slack's formatting rules). */
export const EVIL_SLACK = EVIL.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The payload as Discord must show it: every `@` of a mention followed by a zero-width space. */
export const EVIL_DISCORD = EVIL.replace(/@(everyone|here)/g, '@\u200b$1').replace(/<@/g, '<@\u200b');

/** Slack markup in the payload that would notify or link if it arrived raw, and its `&` unescaped. */
const SLACK_RAW = [...(EVIL.match(/<[^<>]+>/g) ?? []), ' & <b>', ' & &lt;b'];
/** Discord mentions in the payload (Slack's `<!…>` syntax means nothing there). */
const DISCORD_RAW = ['@everyone', '@here', '<@U0VICTIM>', '<@123456789012345678>', '<@&987654321098765432>'];

/** Every string in a request body, with where it sits (`blocks.0.text.text`). */
export function stringsOf(value: unknown, at = ''): Array<{ at: string; text: string }> {
  if (typeof value === 'string') return [{ at, text: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsOf(v, `${at}.${i}`));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => stringsOf(v, at ? `${at}.${k}` : k));
  return [];
}

/** A request the service sent (or an answer it gave), as far as these checks read it. */
export type Sent = Pick<Recorded, 'method' | 'path'> & { body: unknown };

/** Each string of these bodies that still carries a raw token: `METHOD path field: token`. */
function rawTokens(requests: readonly Sent[], tokens: readonly string[]): string[] {
  return requests.flatMap((r) =>
    stringsOf(r.body).flatMap(({ at, text }) =>
      tokens.filter((t) => text.includes(t)).map((t) => `${r.method} ${r.path} ${at}: ${t}`),
    ),
  );
}

export const rawSlackTokens = (requests: readonly Sent[]) => rawTokens(requests, SLACK_RAW);
export const rawDiscordTokens = (requests: readonly Sent[]) => rawTokens(requests, DISCORD_RAW);

/** Discord REST requests that create or edit a message: channel messages and interaction webhooks. */
export const isDiscordMessage = (r: Recorded): boolean =>
  (r.method === 'POST' || r.method === 'PATCH') &&
  /^\/api\/v10\/(channels\/[^/]+\/messages(\/[^/]+)?|webhooks\/[^/]+\/[^/]+(\/messages\/[^/]+)?)$/.test(
    r.path,
  );

/**
 * What is wrong with a message body's `allowed_mentions` (empty when right): nothing parsed from
 * the text, and explicit ids only among `routed` (the on-call the policy file names).
 */
export function mentionProblems(body: unknown, routed: { users?: string[]; roles?: string[] }): string[] {
  const allowed = (body as { allowed_mentions?: { parse?: unknown; users?: string[]; roles?: string[] } })
    ?.allowed_mentions;
  if (!allowed) return ['no allowed_mentions'];
  const problems: string[] = [];
  if (!Array.isArray(allowed.parse) || allowed.parse.length > 0)
    problems.push(`parse is ${JSON.stringify(allowed.parse)}`);
  for (const kind of ['users', 'roles'] as const) {
    const extra = (allowed[kind] ?? []).filter((id) => !(routed[kind] ?? []).includes(id));
    if (extra.length) problems.push(`${kind} ${extra.join(',')} were not routed`);
  }
  return problems;
}
