import type { IncomingMessage } from 'node:http';
import type { App, Context } from '@slack/bolt';

/** Where the guard remembers request signatures: the ledger's idempotency keys (with expiry). */
export type Remember = (key: string, expiresAt: Date) => Promise<boolean>;

const WINDOW_S = 300;

/** Headers Bolt's HTTP receiver hands to middleware after it verified the signature. */
export const guardProperties = (req: IncomingMessage) => ({
  slackSignature: String(req.headers['x-slack-signature'] ?? ''),
  slackTimestamp: Number(req.headers['x-slack-request-timestamp'] ?? 0),
});

/**
 * What Bolt does not check (ecosystem.md §1.6): a timestamp more than 5 minutes in the *future*
 * (Bolt only refuses old ones). Such a request is acknowledged with the refusal and never runs.
 */
export function registerFutureGuard(app: App, now: () => Date = () => new Date()): void {
  app.use(async ({ context, ack, next, body }) => {
    const timestamp = context.slackTimestamp as number | undefined;
    if (timestamp && timestamp - now().getTime() / 1000 > WINDOW_S) {
      const text = 'refused: the request timestamp is in the future';
      if (ack)
        await (ack as (r?: unknown) => Promise<void>)(
          isCommand(body) ? { response_type: 'ephemeral', text } : undefined,
        );
      return;
    }
    await next();
  });
}

/**
 * Slack never retries slash commands or button clicks, so a second delivery of one signature is a
 * replay: listeners call this right after `ack()` (the check writes to the ledger, which must not
 * delay the acknowledgement) and run only when it is the first delivery.
 */
export async function isFirstDelivery(context: Context, remember: Remember): Promise<boolean> {
  const signature = context.slackSignature as string | undefined;
  const timestamp = context.slackTimestamp as number | undefined;
  if (!signature || !timestamp) return true; // Socket Mode: the WebSocket is authenticated instead
  return remember(`slack:${signature}`, new Date((timestamp + 2 * WINDOW_S) * 1000));
}

const isCommand = (body: unknown): boolean => typeof (body as { command?: unknown }).command === 'string';
export const REPLAYED = 'refused: this request was already handled';
