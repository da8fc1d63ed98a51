import type { RequestListener, ServerResponse } from 'node:http';
import { z } from 'zod';
import { readBody } from '../read-body.ts';
import { handleInteraction, type Interaction, type InteractionDeps } from './interaction-handler.ts';
import { discordPublicKey, verifyDiscordRequest } from './verify.ts';

export const DISCORD_INTERACTIONS_PATH = '/discord/interactions';

interface Deps extends InteractionDeps {
  publicKey: string;
  log: { error(obj: object, msg: string): void };
}

/**
 * Discord's HTTP interactions endpoint (issue 6 item 2): the Ed25519 signature and a 5-minute
 * timestamp window are checked first (401 otherwise); the interaction's first response is the
 * HTTP answer. What happens next is the handler's business (interaction-handler.ts).
 */
export function discordInteractions(d: Deps): RequestListener {
  const key = discordPublicKey(d.publicKey);
  return (req, res) => {
    void readBody(req)
      .then(async (raw) => {
        if (raw === null) return send(res, 413, { error: 'body too large' });
        const verdict = verifyDiscordRequest(
          key,
          String(req.headers['x-signature-ed25519'] ?? ''),
          String(req.headers['x-signature-timestamp'] ?? ''),
          raw,
        );
        if (verdict !== 'ok')
          return send(res, 401, {
            error: verdict === 'stale' ? 'stale timestamp' : 'invalid request signature',
          });
        const interaction = parseInteraction(raw);
        if (!interaction)
          return send(res, 400, { error: 'the body is not an interaction (JSON with id, type, token)' });
        await handleInteraction(d, interaction, async (response) => send(res, 200, response));
      })
      .catch((err) => {
        d.log.error({ err }, 'Discord interaction failed');
        if (!res.headersSent) send(res, 500, { error: 'internal error' });
      });
  };
}

const Option: z.ZodType<unknown> = z.lazy(() =>
  z.object({
    name: z.string(),
    type: z.number(),
    value: z.union([z.string(), z.number(), z.boolean()]).optional(),
    focused: z.boolean().optional(),
    options: z.array(Option).max(25).optional(),
  }),
);
const User = z.object({ id: z.string(), username: z.string().optional() });
/** The parts of an interaction the handler reads, with the types Discord sends (API v10). */
const InteractionShape = z.object({
  id: z.string(),
  type: z.number(),
  // The token becomes a path segment of the follow-up URL: `..` or `a/b` would send it elsewhere.
  token: z.string().regex(/^(?=.*[A-Za-z0-9])[A-Za-z0-9_.-]{1,1000}$/),
  data: z
    .object({
      name: z.string().optional(),
      options: z.array(Option).max(25).optional(),
      custom_id: z.string().optional(),
      components: z
        .array(
          z.object({
            components: z.array(z.object({ custom_id: z.string(), value: z.string().optional() })).optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  member: z.object({ user: User.optional(), roles: z.array(z.string()).optional() }).optional(),
  user: User.optional(),
});

/**
 * The interaction, or null when the body is not one: not JSON, or fields of the wrong type
 * (options that are not a list, a user id that is not a string…) — the handler can then trust
 * every field it reads (found by fuzzing: such bodies made it throw, and the endpoint answer 500).
 */
function parseInteraction(raw: Buffer): Interaction | null {
  try {
    const parsed = InteractionShape.safeParse(JSON.parse(raw.toString()));
    return parsed.success ? (parsed.data as Interaction) : null;
  } catch {
    return null; // not JSON, or nested deeper than the checker goes
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
