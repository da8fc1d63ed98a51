import { createHmac } from 'node:crypto';

/**
 * Sends requests to the service exactly as Slack does: form-encoded, signed with the v0 HMAC
 * over `v0:<timestamp>:<raw body>`, for slash commands and for interactive payloads.
 */
export class SlackClient {
  private readonly url: string;
  private readonly secret: string;

  constructor(url: string, secret: string) {
    this.url = url;
    this.secret = secret;
  }

  sign(body: string, timestamp: number): string {
    return `v0=${createHmac('sha256', this.secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  }

  async post(
    body: string,
    options: { timestamp?: number; signature?: string } = {},
  ): Promise<{ status: number; text: string; ms: number }> {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const started = performance.now();
    const res = await fetch(`${this.url}/slack/events`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': options.signature ?? this.sign(body, timestamp),
      },
    });
    return { status: res.status, text: await res.text(), ms: performance.now() - started };
  }

  /** An Events API delivery (JSON), signed; `headers` adds e.g. Slack's retry headers. */
  async postJson(body: string, headers: Record<string, string> = {}): Promise<{ status: number }> {
    const timestamp = Math.floor(Date.now() / 1000);
    const res = await fetch(`${this.url}/slack/events`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': this.sign(body, timestamp),
        ...headers,
      },
    });
    await res.text();
    return { status: res.status };
  }

  /** The form body of `/<root> <text>` from `user`, answering on `responseUrl`. */
  static command(root: string, text: string, user: string, responseUrl: string, team = 'T1'): string {
    return new URLSearchParams({
      command: `/${root}`,
      text,
      user_id: user,
      user_name: user.toLowerCase(),
      team_id: team,
      channel_id: 'C_OPS',
      response_url: responseUrl,
      trigger_id: `trigger-${Date.now()}`,
      api_app_id: 'A1',
      token: 'legacy',
    }).toString();
  }

  /** The form body of an interactive payload (block_actions, view_submission). */
  static payload(payload: object): string {
    return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  }

  /** The form body of a click on a message button by `user` (answers go to `responseUrl`). */
  static click(
    user: string,
    channel: string,
    button: { action_id: string; value: string },
    responseUrl: string,
  ): string {
    return SlackClient.payload({
      type: 'block_actions',
      user: { id: user, username: user.toLowerCase(), team_id: 'T1' },
      api_app_id: 'A1',
      token: 'legacy',
      team: { id: 'T1', domain: 'town' },
      channel: { id: channel, name: channel.toLowerCase() },
      container: { type: 'message', channel_id: channel, message_ts: '1.000001' },
      trigger_id: `trigger-${Date.now()}`,
      response_url: responseUrl,
      actions: [{ type: 'button', block_id: 'esc', action_ts: '1.1', ...button }],
    });
  }

  /** The JSON body of an Events API `message` by `user` in the thread `threadTs` of `channel`. */
  static threadReply(user: string, channel: string, threadTs: string, text: string, eventId: string): string {
    return JSON.stringify({
      token: 'legacy',
      team_id: 'T1',
      api_app_id: 'A1',
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      event: {
        type: 'message',
        channel,
        channel_type: 'im',
        user,
        text,
        ts: `${Math.floor(Date.now() / 1000)}.000100`,
        thread_ts: threadTs,
      },
    });
  }
}
