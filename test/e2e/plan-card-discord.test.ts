import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePolicy } from '../support/chat-setup.ts';
import { DiscordClient } from '../support/discord-client.ts';
import { isDiscordMessage, mentionProblems, rawDiscordTokens } from '../support/inert-check.ts';
import { type Recorded, RecordingServer } from '../support/recording-server.ts';
import { gitRepo, waitFor } from './runner-process.ts';
import { Town } from './town.ts';

const APP = '4242';
type Row = { components: Array<{ label: string; custom_id: string }> };
type Body = { content?: string; embeds?: unknown[]; components?: Row[]; flags?: number };
type Bead = { id: string; status: string; assignee: string | null };
type View = {
  state: string;
  convoy: { id: string; version: number } | null;
  waves: Array<{ beads: Array<{ id: string }> }>;
};

/** A Mayor that plans two beads in rig web (the second needs the first) and stages them. */
const MAYOR = `set -u
a=$(bd create "build @everyone <@&987654321> *search*" --rig web) || exit 1
b=$(bd create "ship search" --rig web) || exit 1
bd dep add "$b" "$a" >/dev/null || exit 1
gt convoy stage "$a" "$b" >/dev/null || exit 1
gt done >/dev/null || exit 1
`;

/**
 * The plan card on Discord through the real surfaces: `/gt plan ask` and the card's buttons as
 * interactions signed as Discord signs them, the card's post and edits captured by a recording
 * REST API. Launch dispatches wave 1; Revise… answers with its dialog.
 */
describe('the plan card on Discord', () => {
  const town = new Town();
  const api = new RecordingServer();
  const discord = new DiscordClient();
  const dir = mkdtempSync(join(tmpdir(), 'gt-plan-card-discord-'));

  beforeAll(async () => {
    writeFileSync(join(dir, 'mayor.sh'), MAYOR, { mode: 0o700 });
    await api.start();
    await town.up(['--http-port', '0'], {
      DISCORD_APP_ID: APP,
      DISCORD_PUBLIC_KEY: discord.publicKeyHex,
      DISCORD_BOT_TOKEN: 'bot-token',
      DISCORD_API_URL: `${api.url}/api`,
      GT_POLICY_FILE: writePolicy(town, {
        roles: { lead: { permissions: ['read', 'convoy:create', 'convoy:launch'], rigs: ['web'] } },
        discord: { users: { '2002': ['lead'] } },
        routing: { escalations: [], convoys: { discord: '666' } },
      }),
    });
    discord.url = town.runtime().http_url;
    await town.json('gt', ['rig', 'add', 'web', '--prefix', 'web', '--repo', gitRepo()]);
    await town.json('gt', [
      'mayor',
      'config',
      '--command',
      `bash ${join(dir, 'mayor.sh')}`,
      '--timeout',
      '60',
    ]);
  }, 60_000);
  afterAll(async () => {
    await town.destroy();
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const show = (id: string) => town.json<View>('gt', ['plan', 'show', id]);
  const bead = async (id: string) => (await town.json<Bead[]>('bd', ['show', id]))[0] as Bead;
  const body = (r: Recorded | undefined) => (r?.body ?? {}) as Body;
  /** The plan card's post and edits (the convoy's own card joins the channel once launched). */
  const cards = () =>
    api.requests.filter(
      (r) =>
        r.path.startsWith('/api/v10/channels/666/messages') &&
        String(body(r).content).startsWith('🗺️ **Plan**'),
    );
  const card = () => cards().at(-1);
  const untilCard = (what: string, check: (t: string) => boolean) =>
    waitFor(
      () => check(JSON.stringify(body(card()))),
      30_000,
      () =>
        `the card never showed ${what}: ${JSON.stringify(body(card()))}\n${town.serviceOutput.slice(-2000)}`,
    );
  const button = (label: string) => {
    const b = body(card())
      .components?.flatMap((r) => r.components)
      .find((c) => c.label === label);
    if (!b) throw new Error(`no button ${label}: ${JSON.stringify(body(card()).components)}`);
    return b.custom_id;
  };
  const click = (user: string, customId: string) =>
    discord.post(discord.interaction(3, { custom_id: customId, component_type: 2 }, user));

  it('asks with /gt plan ask, posts the card, and launches wave 1 from it', async () => {
    const ask = discord.interaction(
      2,
      DiscordClient.command('gt', ['plan', 'ask'], { goal: "add the user's search", rig: 'web' }),
      '2002',
    );
    expect((await discord.post(ask)).json).toMatchObject({ type: 5 });
    const [answer] = await api.waitFor(`/api/v10/webhooks/${APP}/${String(ask.token)}`);
    const plan = /^([a-z0-9-]+): the Mayor will plan this/.exec(String(body(answer).content))?.[1] as string;
    expect(plan).toBeDefined();
    expect((await town.json<Array<{ description: string }>>('bd', ['show', plan]))[0]?.description).toBe(
      "add the user's search",
    );

    await untilCard('the staged plan', (t) => t.includes('plan:act:plan:') && t.includes('ship search'));
    const v = await show(plan);
    const convoy = v.convoy?.id as string;
    expect(button('Launch')).toBe(`plan:act:plan:${plan}:${convoy}:${v.convoy?.version}:launch`);
    expect(button('Discard')).toBe(`plan:ask:plan:${plan}:${convoy}:${v.convoy?.version}:discard`);
    expect(cards().filter((r) => r.method === 'POST')).toHaveLength(1);

    // Revise… answers with its dialog; Discard asks first. Neither changes anything yet.
    expect((await click('2002', button('Revise…'))).json).toMatchObject({
      type: 9,
      data: { custom_id: `plan:say:plan:${plan}:${convoy}:${v.convoy?.version}:revise` },
    });
    expect((await click('2002', button('Discard'))).json).toMatchObject({
      type: 4,
      data: { flags: 64, content: expect.stringContaining('Are you sure?') },
    });

    expect((await click('2002', button('Launch'))).json).toMatchObject({ type: 6 });
    await untilCard('launched', (t) => t.includes(`Launched by discord:2002 as convoy ${convoy}`));
    expect(body(card()).components).toEqual([]);
    expect(cards().filter((r) => r.method === 'POST')).toHaveLength(1);
    expect((await bead(convoy)).status).toBe('open');
    const first = v.waves[0]?.beads[0]?.id as string;
    expect((await bead(first)).assignee).toMatch(/^web\//);
    const sent = api.requests.filter(isDiscordMessage);
    expect(rawDiscordTokens(sent)).toEqual([]);
    for (const r of sent) expect(mentionProblems(r.body, {})).toEqual([]);
  }, 90_000);
});
