import type { Context } from '@slack/bolt';

/** Where request signatures are remembered: the ledger's idempotency keys (with expiry). */
export type Remember = (key: string, expiresAt: Date) => Promise<boolean>;

const WINDOW_S = 300;

/**
 * Slack never retries slash commands or button clicks, so a second delivery of one signature is a
 * replay: listeners call this right after acknowledging (the check writes to the ledger, which
 * must not delay the acknowledgement) and run only when it is the first delivery. The receiver
 * puts the verified signature and timestamp in the context.
 */
export async function isFirstDelivery(context: Context, remember: Remember): Promise<boolean> {
  const signature = context.slackSignature as string | undefined;
  const timestamp = context.slackTimestamp as number | undefined;
  if (!signature || !timestamp) return true; // Socket Mode: the WebSocket is authenticated instead
  return remember(`slack:${signature}`, new Date((timestamp + 2 * WINDOW_S) * 1000));
}

export const REPLAYED = 'refused: this request was already handled';
