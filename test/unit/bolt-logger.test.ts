import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LogLevel } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app/logger.ts';
import type { ChatCommands } from '../../src/chat/chat-commands.ts';
import { boltLogger } from '../../src/chat/slack/bolt-logger.ts';
import { createSlackSurface } from '../../src/chat/slack/slack-app.ts';
import { WorkQueue } from '../../src/chat/work-queue.ts';
import { EMPTY_POLICY } from '../../src/domain/policy.ts';

const BOT_TOKEN = 'xoxb-4242-4343-bolt-listener-secret';
const SIGNING_SECRET = 'signing-secret-for-the-bolt-test';

/** The service's logger (createLogger: field, pattern and configured-secret redaction) into an array. */
function capture(level = 'debug', knownSecrets: string[] = [BOT_TOKEN, SIGNING_SECRET]) {
  const lines: string[] = [];
  const log = createLogger(level, knownSecrets, { write: (line: string) => void lines.push(line) });
  return { log, lines, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('Bolt logs through our logger', () => {
  const { log, lines, entries } = capture();
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const surface = createSlackSurface(
      {
        mode: 'http',
        botToken: BOT_TOKEN,
        signingSecret: SIGNING_SECRET,
        appToken: null,
        apiUrl: 'http://127.0.0.1:9/api/',
        appId: null,
        teamId: null,
      },
      EMPTY_POLICY,
      {} as ChatCommands,
      async () => true,
      new WorkQueue(1),
      log,
    );
    surface.app.command('/boom', async () => {
      throw new Error(`chat.postMessage failed for token ${BOT_TOKEN}`);
    });
    server = createServer(surface.requestListener ?? undefined);
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it('a listener that throws is logged once, by our error handler, with the secret redacted', async () => {
    const body = new URLSearchParams({
      command: '/boom',
      text: '',
      user_id: 'U1',
      team_id: 'T1',
      channel_id: 'C1',
      api_app_id: 'A1',
      trigger_id: '1.2.3',
      response_url: 'https://hooks.slack.com/commands/T1/1/abc',
    }).toString();
    const ts = Math.floor(Date.now() / 1000);
    const signature = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': signature,
      },
      body,
    });
    expect(res.status).toBe(200);
    await expect.poll(() => entries().filter((e) => e.msg === 'Slack listener failed').length).toBe(1);
    const [failed] = entries().filter((e) => e.msg === 'Slack listener failed');
    const err = failed?.err as { message: string; stack: string };
    expect(err.message).toBe('chat.postMessage failed for token [Redacted]');
    expect(err.stack).toContain('[Redacted]');
    expect(failed?.level).toBe(50);
    // Nothing anywhere in the log holds the token, and the failure was not logged a second time.
    expect(lines.join('')).not.toContain('4242-4343');
    expect(entries().filter((e) => e.msg === 'Slack request failed')).toEqual([]);
  });
});

describe('boltLogger (Bolt’s Logger interface over pino)', () => {
  it('writes Bolt’s variadic calls as one JSON line: message text, error as err, its name', () => {
    const { log, entries } = capture();
    const bolt = boltLogger(log);
    bolt.setName('socket-mode:SocketModeClient:0');
    bolt.error('Slack API error: invalid_auth', new Error(`token ${BOT_TOKEN} was revoked`));
    bolt.warn('retrying', { attempt: 2 });
    const [first, second] = entries();
    expect(first).toMatchObject({
      level: 50,
      component: 'slack-bolt',
      logger: 'socket-mode:SocketModeClient:0',
      msg: 'Slack API error: invalid_auth',
      err: { message: 'token [Redacted] was revoked' },
    });
    expect(second).toMatchObject({ level: 40, msg: 'retrying { attempt: 2 }' });
  });

  it('keeps Bolt’s level, and never says more than the service’s level allows', () => {
    const verbose = capture('debug');
    const a = boltLogger(verbose.log);
    a.setLevel(LogLevel.WARN);
    expect(a.getLevel()).toBe(LogLevel.WARN);
    a.info('Now connected to Slack');
    a.warn('reconnecting');
    expect(verbose.entries().map((e) => e.msg)).toEqual(['reconnecting']);

    const quiet = capture('error');
    const b = boltLogger(quiet.log);
    b.setLevel(LogLevel.DEBUG);
    expect(b.getLevel()).toBe(LogLevel.DEBUG);
    b.debug('payload');
    b.warn('reconnecting');
    b.error('gave up');
    expect(quiet.entries().map((e) => e.msg)).toEqual(['gave up']);
  });
});
