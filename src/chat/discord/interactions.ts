import type { RequestListener, ServerResponse } from 'node:http';
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

function parseInteraction(raw: Buffer): Interaction | null {
  try {
    const i = JSON.parse(raw.toString()) as Partial<Interaction> | null;
    return i && typeof i.id === 'string' && typeof i.type === 'number' && typeof i.token === 'string'
      ? (i as Interaction)
      : null;
  } catch {
    return null;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
