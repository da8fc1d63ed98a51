import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { App, Receiver } from '@slack/bolt';
import { readBody } from '../read-body.ts';

const WINDOW_S = 300;

/** What happens to a request before Bolt's listeners see it (exported for tests of the rules). */
export type Admission = 'ok' | 'bad_signature' | 'stale';

export function admit(
  secret: string,
  signature: string,
  timestamp: string,
  raw: Buffer,
  now = Date.now(),
): Admission {
  if (!/^\d+$/.test(timestamp)) return 'bad_signature';
  const expected = Buffer.from(
    `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(raw).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad_signature';
  // Both ways: Bolt's own receiver refuses old timestamps but accepts ones from the future.
  return Math.abs(now / 1000 - Number(timestamp)) > WINDOW_S ? 'stale' : 'ok';
}

/**
 * Slack's HTTP endpoint as a Bolt receiver that acknowledges first (ecosystem.md §1.10: a custom
 * receiver feeding `app.processEvent`). It checks the v0 signature and the 5-minute window both
 * ways (401 otherwise), then answers slash commands, button clicks and events with an empty 200
 * at once — before any Bolt middleware runs — so 50 commands arriving together are all
 * acknowledged within milliseconds. Payloads whose answer carries data (dialog submissions with
 * validation errors, URL verification) keep Bolt's real `ack`.
 */
export class EarlyAckReceiver implements Receiver {
  private app: App | null = null;
  private readonly secret: string;
  private readonly onError: (err: unknown) => void;

  constructor(secret: string, onError: (err: unknown) => void) {
    this.secret = secret;
    this.onError = onError;
  }

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  readonly requestListener: RequestListener = (req, res) => {
    void this.handle(req, res).catch((err) => {
      this.onError(err);
      if (!res.headersSent) reply(res, 500, '');
    });
  };

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    if (raw === null) return reply(res, 413, 'body too large');
    const signature = String(req.headers['x-slack-signature'] ?? '');
    const timestamp = String(req.headers['x-slack-request-timestamp'] ?? '');
    const verdict = admit(this.secret, signature, timestamp, raw);
    if (verdict !== 'ok')
      return reply(res, 401, verdict === 'stale' ? 'stale timestamp' : 'invalid signature');
    const body = parse(raw.toString(), String(req.headers['content-type'] ?? ''));
    if (!body) return reply(res, 400, 'the body is neither a form nor a JSON object');
    if (body.type === 'url_verification')
      return reply(res, 200, JSON.stringify({ challenge: body.challenge }), 'application/json');
    const needsAnswer = body.type === 'view_submission';
    let answered = false;
    const ack = async (response?: unknown) => {
      if (answered) return;
      answered = true;
      if (response === undefined || response === '') reply(res, 200, '');
      else
        reply(
          res,
          200,
          typeof response === 'string' ? response : JSON.stringify(response),
          'application/json',
        );
    };
    if (!needsAnswer) {
      await ack();
      // Bolt's own processing waits until the requests already read have been acknowledged too.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const retry = req.headers['x-slack-retry-num'];
    try {
      await this.app?.processEvent({
        body,
        ack: needsAnswer ? ack : async () => {},
        ...(retry
          ? { retryNum: Number(retry), retryReason: String(req.headers['x-slack-retry-reason'] ?? '') }
          : {}),
        customProperties: { slackSignature: signature, slackTimestamp: Number(timestamp) },
      });
    } finally {
      // A dialog nobody answered — or whose listener failed on a malformed payload — must not hang.
      if (!answered) await ack();
    }
  }
}

/** The payload as an object; null when the body is not JSON, or JSON that is not an object. */
function parse(text: string, type: string): Record<string, unknown> | null {
  const object = (json: string): Record<string, unknown> | null => {
    try {
      const value: unknown = JSON.parse(json);
      return typeof value === 'object' && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : null;
    } catch {
      return null;
    }
  };
  if (type.includes('application/json')) return object(text);
  const form = Object.fromEntries(new URLSearchParams(text));
  return typeof form.payload === 'string' ? object(form.payload) : form;
}

function reply(res: ServerResponse, status: number, body: string, type = 'text/plain'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}
