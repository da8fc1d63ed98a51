import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePolicy } from '../support/chat-setup.ts';
import { DiscordClient } from '../support/discord-client.ts';
import { RecordingServer } from '../support/recording-server.ts';
import { waitFor } from './runner-process.ts';
import { Town } from './town.ts';

type Bead = { id: string; status: string; assignee: string | null; version: number };
const APP = '4242';

/**
 * Issue 6 item 2 through the real protocol surface: interactions signed with Ed25519 exactly as
 * Discord signs them, POSTed to the running service's /discord/interactions; its REST calls
 * (follow-ups, channel messages, command registration) captured by a local recording server.
 */
describe('Discord interactions', () => {
  const town = new Town();
  const api = new RecordingServer();
  const discord = new DiscordClient();

  beforeAll(async () => {
    await api.start();
    const policy = writePolicy(town, {
      roles: {
        admin: { permissions: ['admin'] },
        approver: { permissions: ['read', 'escalation:ack', 'escalation:approve'] },
        viewer: { permissions: ['read'] },
      },
      discord: { users: { '1001': ['admin'], '1003': ['viewer'] }, roles: { R_APPROVER: ['approver'] } },
      routing: { escalations: [{ channel: { discord: '555' }, mention: { discord: '<@&R_ONCALL>' } }] },
    });
    await town.up(['--http-port', '0'], {
      DISCORD_APP_ID: APP,
      DISCORD_PUBLIC_KEY: discord.publicKeyHex,
      DISCORD_BOT_TOKEN: 'bot-token',
      DISCORD_API_URL: `${api.url}/api`,
      GT_POLICY_FILE: policy,
    });
    discord.url = town.runtime().http_url;
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al', '--max-polecats', '3']);
  }, 60_000);
  afterAll(async () => {
    await town.destroy();
    await api.stop();
  });

  const show = async (id: string) => (await town.json<Bead[]>('bd', ['show', id]))[0] as Bead;
  const webhook = (token: string) => `/api/v10/webhooks/${APP}/${token}`;
  /** Sends a command; returns the deferral and the text that finally answered it. */
  async function command(
    root: string,
    path: string[],
    options: Record<string, string | boolean> = {},
    user = '1001',
  ) {
    const i = discord.interaction(2, DiscordClient.command(root, path, options), user);
    const deferred = await discord.post(i);
    const [answer] = await api.waitFor(webhook(String(i.token)));
    return {
      deferred,
      answer,
      content: String((answer?.body as { content?: string } | undefined)?.content ?? ''),
    };
  }

  it('answers PING and refuses forged, stale, future and replayed requests with nothing changed', async () => {
    expect((await discord.post({ id: '1', type: 1, token: 't' })).json).toEqual({ type: 1 });
    const create = discord.interaction(
      2,
      DiscordClient.command('bd', ['create'], { title: 'Forged', rig: 'alpha' }),
    );
    expect((await discord.post(create, { signature: 'ab'.repeat(64) })).status).toBe(401);
    const now = Math.floor(Date.now() / 1000);
    expect((await discord.post(create, { timestamp: now - 400 })).status).toBe(401);
    expect((await discord.post(create, { timestamp: now + 400 })).status).toBe(401);
    expect((await discord.post(create)).json).toMatchObject({ type: 5 });
    const replay = await discord.post(create);
    expect(replay.json).toMatchObject({
      type: 4,
      data: { content: expect.stringMatching(/already handled/) },
    });
    await api.waitFor(webhook(String(create.token)));
    const titles = (await town.json<Array<{ title: string }>>('bd', ['list'])).map((b) => b.title);
    expect(titles.filter((t) => t === 'Forged')).toHaveLength(1);
  });

  it('defers within 3 s, then answers reads privately and changes in the channel, as the CLI would', async () => {
    const created = await command('bd', ['create'], { title: 'From Discord', rig: 'alpha', priority: '1' });
    expect(created.deferred.ms).toBeLessThan(3000);
    expect(created.deferred.json).toEqual({
      type: 5,
      data: { flags: 64, allowed_mentions: { parse: [] } },
    });
    // The change is announced in the channel (no ephemeral flag), and the private deferral goes.
    expect(created.answer).toMatchObject({
      method: 'POST',
      body: { content: expect.stringMatching(/^al-\w+$/) },
    });
    expect((created.answer?.body as { flags?: number } | undefined)?.flags).toBeUndefined();
    const token = (created.answer?.path ?? '').split('/')[5] as string;
    const [, removed] = await api.waitFor(webhook(token), 2);
    expect(removed?.method).toBe('DELETE');
    for (const [root, path, options, cli] of [
      ['gt', ['rig', 'list'], {}, ['rig', 'list']],
      ['bd', ['list'], {}, ['list']],
      ['bd', ['ready'], {}, ['ready']],
    ] as Array<['gt' | 'bd', string[], Record<string, string>, string[]]>) {
      const expected = (await town.run(root, cli)).stdout.trim();
      const { content, answer } = await command(root, path, options);
      expect(answer?.method).toBe('PATCH');
      expect(content.replace(/^```\n|\n```$/g, '')).toBe(expected);
    }
  });

  it('refuses what the policy does not allow, and completes ids for what it does', async () => {
    const { content } = await command('gt', ['rig', 'park'], { name: 'alpha' }, '1003');
    expect(content).toMatch(/may not run gt rig park: it needs admin/);
    expect((await town.json<Array<{ parked: boolean }>>('gt', ['rig', 'list']))[0]?.parked).toBe(false);
    const bead = (await town.json<Bead>('bd', ['create', 'Completable', '--rig', 'alpha'])).id;
    const auto = discord.interaction(4, {
      name: 'bd',
      type: 1,
      options: [
        {
          name: 'show',
          type: 1,
          options: [{ name: 'ids', type: 3, value: bead.slice(0, 4), focused: true }],
        },
      ],
    });
    const choices = (await discord.post(auto)).json as {
      type: number;
      data: { choices: Array<{ value: string }> };
    };
    expect(choices.type).toBe(8);
    expect(choices.data.choices.map((c) => c.value)).toContain(bead);
  });

  it('pings an escalation; a confirmed click by an approver reassigns and rewrites the card, others are refused', async () => {
    const work = (await town.json<Bead>('bd', ['create', 'Stuck on Discord', '--rig', 'alpha'])).id;
    await town.json('gt', ['sling', work]);
    const e = await town.json<Bead>('gt', [
      'escalate',
      '-s',
      'high',
      'alpha/Toast stalled',
      '--kind',
      'stuck-agent',
      '--agent',
      'alpha/Toast',
      '--bead',
      work,
      '--propose',
      'reassign:alpha/Nux',
    ]);
    const [ping] = await api.waitFor('/api/v10/channels/555/messages');
    const body = ping?.body as {
      content: string;
      components: Array<{ components: Array<{ custom_id: string }> }>;
    };
    expect(body.content).toContain('<@&R_ONCALL>');
    const version = (await show(e.id)).version;
    const ask = body.components[0]?.components.find((c) =>
      c.custom_id.startsWith(`esc:ask:${e.id}:${version}:reassign:alpha/Nux`),
    );
    expect(ask).toBeDefined();
    const prompt = await discord.post(
      discord.interaction(3, { custom_id: ask?.custom_id, component_type: 2 }, '2001', ['R_APPROVER']),
    );
    const yes = (prompt.json as { data: { components: Array<{ components: Array<{ custom_id: string }> }> } })
      .data.components[0]?.components[0]?.custom_id as string;
    expect(yes).toBe(`esc:yes:${e.id}:${version}:reassign:alpha/Nux`);
    const denied = discord.interaction(3, { custom_id: yes, component_type: 2 }, '1003');
    expect((await discord.post(denied)).json).toEqual({ type: 6 });
    const [refusal] = await api.waitFor(webhook(String(denied.token)));
    expect(refusal?.body).toMatchObject({
      flags: 64,
      content: expect.stringMatching(/needs escalation:approve/),
    });
    expect((await show(work)).assignee).toBe('alpha/Toast');
    await discord.post(discord.interaction(3, { custom_id: yes, component_type: 2 }, '2001', ['R_APPROVER']));
    await waitFor(async () => (await show(work)).assignee === 'alpha/Nux', 10_000);
    await waitFor(
      () =>
        api
          .to('/api/v10/channels/555/messages/')
          .some((r) => JSON.stringify(r.body).includes('Approved by <@2001>')),
      10_000,
    );
    const edit = api
      .to('/api/v10/channels/555/messages/')
      .find((r) => JSON.stringify(r.body).includes('Approved by'));
    expect(edit?.method).toBe('PATCH');
    expect((edit?.body as { components: unknown[] } | undefined)?.components).toEqual([]);
  }, 30_000);

  it('registers /gt and /bd in a guild', async () => {
    const r = await town.run('gt', ['discord', 'register', '--guild', '777'], {
      DISCORD_APP_ID: APP,
      DISCORD_BOT_TOKEN: 'bot-token',
      DISCORD_API_URL: `${api.url}/api`,
    });
    expect(r.code, r.stderr).toBe(0);
    const [put] = await api.waitFor(`/api/v10/applications/${APP}/guilds/777/commands`);
    expect(put?.method).toBe('PUT');
    expect(((put?.body ?? []) as unknown as Array<{ name: string }>).map((c) => c.name)).toEqual([
      'gt',
      'bd',
    ]);
    expect(put?.headers.authorization).toBe('Bot bot-token');
  });
});
