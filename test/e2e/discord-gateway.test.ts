import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePolicy } from '../support/chat-setup.ts';
import { DiscordClient } from '../support/discord-client.ts';
import { FakeGateway } from '../support/fake-gateway.ts';
import { RecordingServer } from '../support/recording-server.ts';
import { waitFor } from './runner-process.ts';
import { Town } from './town.ts';

const APP = '4242';

/**
 * Gateway mode (DISCORD_MODE=gateway, no public endpoint): the service opens a real discord.js
 * gateway session to a local gateway speaking Discord's protocol, receives INTERACTION_CREATE
 * over it, answers through the interaction callback endpoint and finishes through the webhook,
 * exactly as in HTTP mode — recorded by a local REST server.
 */
describe('Discord gateway mode', () => {
  const town = new Town();
  const api = new RecordingServer();
  const gateway = new FakeGateway();
  const discord = new DiscordClient();

  beforeAll(async () => {
    await gateway.start();
    await api.start();
    api.answer((r) => (r.path === '/api/v10/gateway/bot' ? { body: gateway.botInfo() } : undefined));
    const policy = writePolicy(town, {
      roles: { admin: { permissions: ['admin'] }, viewer: { permissions: ['read'] } },
      discord: { users: { '1001': ['admin'], '1003': ['viewer'] } },
    });
    await town.up(['--http-port', '0'], {
      DISCORD_MODE: 'gateway',
      DISCORD_APP_ID: APP,
      DISCORD_BOT_TOKEN: 'bot-token',
      DISCORD_API_URL: `${api.url}/api`,
      GT_POLICY_FILE: policy,
    });
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al']);
  }, 60_000);
  afterAll(async () => {
    await town.destroy();
    await api.stop();
    await gateway.stop();
  });

  const callback = (i: Record<string, unknown>) => `/api/v10/interactions/${i.id}/${i.token}/callback`;
  const webhook = (i: Record<string, unknown>) => `/api/v10/webhooks/${APP}/${i.token}`;

  it('identifies with the bot token and no privileged intents, and serves no HTTP endpoint', async () => {
    expect(gateway.identifies).toEqual([{ token: 'bot-token', intents: 0 }]);
    const res = await fetch(`${town.runtime().http_url}/discord/interactions`, {
      method: 'POST',
      body: '{}',
    });
    expect(res.status).toBe(404);
  });

  it('runs a command that arrived over the gateway: deferral by callback, answer by webhook, once', async () => {
    const i = discord.interaction(
      2,
      DiscordClient.command('bd', ['create'], { title: 'Over the gateway', rig: 'alpha' }),
    );
    gateway.dispatch('INTERACTION_CREATE', i);
    const [deferral] = await api.waitFor(callback(i));
    expect(deferral?.body).toEqual({ type: 5, data: { flags: 64, allowed_mentions: { parse: [] } } });
    const [announced] = await api.waitFor(webhook(i));
    expect(announced?.body).toMatchObject({ content: expect.stringMatching(/^al-\w+$/) });
    // The same interaction again (a second replica's session, a redelivery): refused, not redone.
    gateway.dispatch('INTERACTION_CREATE', i);
    const [, refused] = await api.waitFor(callback(i), 2);
    expect(refused?.body).toMatchObject({
      type: 4,
      data: { content: expect.stringMatching(/already handled/) },
    });
    const titles = (await town.json<Array<{ title: string }>>('bd', ['list'])).map((b) => b.title);
    expect(titles.filter((t) => t === 'Over the gateway')).toHaveLength(1);
  });

  it('applies the same policy as everywhere else', async () => {
    const i = discord.interaction(2, DiscordClient.command('gt', ['rig', 'park'], { name: 'alpha' }), '1003');
    gateway.dispatch('INTERACTION_CREATE', i);
    const [answer] = await api.waitFor(webhook(i));
    expect(String((answer?.body as { content?: string } | undefined)?.content)).toMatch(
      /may not run gt rig park: it needs admin/,
    );
    expect((await town.json<Array<{ parked: boolean }>>('gt', ['rig', 'list']))[0]?.parked).toBe(false);
  });

  it('/readyz follows the gateway session: not ready when it drops, ready again once resumed', async () => {
    const readyz = async () => {
      const res = await fetch(`${town.runtime().http_url}/readyz`);
      return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } };
    };
    expect(await readyz()).toMatchObject({ status: 200, body: { checks: { discord: 'ok' } } });
    gateway.dropSessions();
    await waitFor(async () => (await readyz()).status === 503, 10_000);
    expect((await readyz()).body.checks.discord).toMatch(/gateway session closed/);
    await waitFor(async () => (await readyz()).status === 200, 20_000);
    expect(gateway.resumes).toBeGreaterThanOrEqual(1);
    // Interactions flow over the resumed session.
    const i = discord.interaction(2, DiscordClient.command('gt', ['rig', 'list']));
    gateway.dispatch('INTERACTION_CREATE', i);
    await api.waitFor(callback(i));
  }, 40_000);

  it('closes the session when the service stops', async () => {
    expect(gateway.ready).toBe(1);
    expect(await town.down()).toBe(0);
    await waitFor(() => gateway.ready === 0, 10_000);
  });
});
