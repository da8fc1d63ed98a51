import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { writePolicy } from '../support/chat-setup.ts';
import { RecordingServer } from '../support/recording-server.ts';
import { waitFor } from './runner-process.ts';
import { Town } from './town.ts';

/**
 * Socket Mode (issue 6 item 1, SLACK_MODE=socket): the service opens its connection with
 * `apps.connections.open` and takes envelopes over a WebSocket, acknowledging each by id. A local
 * WebSocket server speaks Slack's side of the protocol.
 */
describe('Slack Socket Mode', () => {
  const town = new Town();
  const slackApi = new RecordingServer();
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  const received: Array<Record<string, unknown>> = [];
  let socket: WebSocket | null = null;

  beforeAll(async () => {
    await slackApi.start();
    const port = (wss.address() as { port: number }).port;
    slackApi.answer((r) =>
      r.path === '/api/apps.connections.open'
        ? { body: { ok: true, url: `ws://127.0.0.1:${port}/link` } }
        : undefined,
    );
    wss.on('connection', (ws) => {
      socket = ws;
      ws.on('message', (m) => received.push(JSON.parse(m.toString())));
      ws.send(
        JSON.stringify({
          type: 'hello',
          num_connections: 1,
          connection_info: { app_id: 'A1' },
          debug_info: { host: 'test', approximate_connection_time: 3600 },
        }),
      );
    });
    const policy = writePolicy(town, {
      roles: { admin: { permissions: ['admin'] } },
      slack: { users: { U_ADMIN: ['admin'] } },
    });
    await town.up(['--http-port', '0'], {
      SLACK_MODE: 'socket',
      SLACK_APP_TOKEN: 'xapp-test',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: `${slackApi.url}/api/`,
      GT_POLICY_FILE: policy,
    });
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al']);
  }, 60_000);
  afterAll(async () => {
    await town.destroy();
    wss.close();
    await slackApi.stop();
  });

  it('connects, acknowledges a slash command envelope, and answers it like the CLI', async () => {
    await waitFor(
      () => socket !== null,
      10_000,
      () => town.serviceOutput,
    );
    const [open] = slackApi.to('/api/apps.connections.open');
    expect(open?.headers.authorization).toBe('Bearer xapp-test');
    // /readyz reflects the Socket Mode connection (hello received).
    const readyz = async () =>
      (await (await fetch(`${town.runtime().http_url}/readyz`)).json()) as { checks: Record<string, string> };
    await waitFor(async () => (await readyz()).checks.slack === 'ok', 10_000);
    socket?.send(
      JSON.stringify({
        envelope_id: 'env-1',
        type: 'slash_commands',
        accepts_response_payload: true,
        payload: {
          token: 'legacy',
          team_id: 'T1',
          api_app_id: 'A1',
          command: '/gt',
          text: 'rig list',
          user_id: 'U_ADMIN',
          user_name: 'admin',
          channel_id: 'C1',
          response_url: `${slackApi.url}/resp/socket`,
          trigger_id: 'trigger-socket',
        },
      }),
    );
    await waitFor(() => received.some((m) => m.envelope_id === 'env-1'), 5_000);
    const [answer] = await slackApi.waitFor('/resp/socket');
    const cli = (await town.run('gt', ['rig', 'list'])).stdout.trim();
    expect((answer?.body as { text: string } | undefined)?.text.replace(/^```|```$/g, '')).toBe(cli);
  }, 30_000);
});
