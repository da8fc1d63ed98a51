import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscordClient } from '../support/discord-client.ts';
import { type Recorded, RecordingServer } from '../support/recording-server.ts';
import { gatedRig, type Mr, mqPolicy } from './mq-cards-setup.ts';
import { gitRepo, waitFor } from './runner-process.ts';
import { Town } from './town.ts';

const APP = '4242';
type Row = { components: Array<{ label: string; custom_id: string }> };
type Body = { content?: string; embeds?: unknown[]; components?: Row[]; flags?: number };

/**
 * The living merge-queue card on Discord through the real surfaces: interactions signed with
 * Ed25519 as Discord signs them, the card's posts and edits and every follow-up captured by a
 * recording REST API. Destructive buttons ask first; each click is its verb run as the member.
 */
describe('the merge-queue card on Discord', () => {
  const town = new Town();
  const api = new RecordingServer();
  const discord = new DiscordClient();
  const go = mkdtempSync(join(tmpdir(), 'gt-mq-go-'));
  const ids = { one: '', two: '' };
  let repo = '';

  beforeAll(async () => {
    await api.start();
    await town.up(['--http-port', '0'], {
      DISCORD_APP_ID: APP,
      DISCORD_PUBLIC_KEY: discord.publicKeyHex,
      DISCORD_BOT_TOKEN: 'bot-token',
      DISCORD_API_URL: `${api.url}/api`,
      GT_POLICY_FILE: mqPolicy(town, {
        discord: { users: { '2001': ['viewer'], '2002': ['merger'], '2003': ['overrider', 'freezer'] } },
        routing: { escalations: [{ rigs: ['alpha'], channel: { discord: '555' } }] },
      }),
      GT_MQ_POLL_S: '1',
    });
    discord.url = town.runtime().http_url;
    repo = gitRepo();
    await gatedRig(town, repo, go);
  }, 60_000);
  afterAll(async () => {
    await town.destroy();
    await api.stop();
    for (const dir of [go, repo]) rmSync(dir, { recursive: true, force: true });
  });

  const mr = (id: string) => town.json<Mr>('gt', ['mq', 'status', id]);
  const posts = () =>
    api.requests.filter((r) => r.method === 'POST' && r.path === '/api/v10/channels/555/messages');
  /** The card as last sent (posted or edited). */
  const card = (): Recorded | undefined =>
    api.requests.filter((r) => r.path.startsWith('/api/v10/channels/555/messages')).at(-1);
  const body = (r: Recorded | undefined) => (r?.body ?? {}) as Body;
  const untilCard = (what: string, check: (text: string) => boolean) =>
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
  const branch = (name: string) => {
    const tree = join(go, `wt-${name}`);
    execFileSync('git', ['-C', repo, 'worktree', 'add', '-q', '-b', name, tree, 'main']);
    writeFileSync(join(tree, `mr-${name}.txt`), `${name}\n`);
    execFileSync('git', ['-C', tree, 'add', '-A']);
    execFileSync('git', ['-C', tree, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qm', name]);
    execFileSync('git', ['-C', repo, 'worktree', 'remove', '--force', tree]);
  };

  /** Clicks a button as `user`: the first response, and the ephemeral follow-up when `answered`. */
  async function click(user: string, customId: string, answered = true) {
    const i = discord.interaction(3, { custom_id: customId, component_type: 2 }, user);
    const first = await discord.post(i);
    if (!answered) return { first: first.json, followUp: '' };
    const [follow] = await api.waitFor(`/api/v10/webhooks/${APP}/${String(i.token)}`);
    return { first: first.json, followUp: String(body(follow).content), flags: body(follow).flags };
  }

  it('posts one card, edits it as work queues and is held, and runs each button as the member', async () => {
    branch('one');
    branch('two');
    ids.one = (await town.json<Mr>('gt', ['mq', 'submit', 'one', '--rig', 'alpha'])).id;
    await untilCard('one verifying', (t) => t.includes(`⏳ \`${ids.one}\` one`));
    ids.two = (await town.json<Mr>('gt', ['mq', 'submit', 'two', '--rig', 'alpha'])).id;
    await untilCard('two queued', (t) => t.includes(`#1 \`${ids.two}\``));
    await town.json('gt', ['mq', 'hold', ids.two]);
    const held = await mr(ids.two);
    await untilCard('two held', (t) => t.includes(`mq:ask:mr:${ids.two}:${held.version}:land-anyway`));
    expect(posts()).toHaveLength(1);
    expect(body(card()).components?.map((r) => r.components.map((c) => c.label))).toEqual([
      [`Retry ${ids.two}`, `Send back for rework ${ids.two}`, `Reject ${ids.two}`, `Land anyway ${ids.two}`],
      ['Freeze'],
    ]);

    const denied = await click('2001', button(`Retry ${ids.two}`));
    expect(denied.first).toMatchObject({ type: 6 });
    expect(denied).toMatchObject({
      flags: 64,
      followUp: expect.stringMatching(/may not run gt mq retry: it needs mq:write/),
    });

    // Landing untested work asks first; the "yes" is the click, refused without mq:override.
    const ask = await click('2002', button(`Land anyway ${ids.two}`), false);
    expect(ask.first).toMatchObject({
      type: 4,
      data: { flags: 64, content: expect.stringContaining('Are you sure?') },
    });
    const yes = (ask.first as { data: Body }).data.components?.[0]?.components[0]?.custom_id ?? '';
    expect(yes).toBe(`mq:yes:mr:${ids.two}:${held.version}:land-anyway`);
    expect((await click('2002', yes)).followUp).toMatch(
      /may not run gt mq land-anyway: it needs mq:override/,
    );
    // A click on an older card: the MR moved since.
    const stale = `mq:yes:mr:${ids.two}:${held.version - 1}:reject`;
    expect((await click('2002', stale)).followUp).toMatch(
      new RegExp(`${ids.two} changed meanwhile: now held`),
    );
    expect(await mr(ids.two)).toMatchObject({ status: 'held', version: held.version });

    const retry = button(`Retry ${ids.two}`);
    await click('2002', retry, false);
    await waitFor(async () => (await mr(ids.two)).status === 'queued', 10_000);
    await untilCard('two queued again', (t) => t.includes(`#1 \`${ids.two}\``) && !t.includes('Retry'));
    expect((await click('2002', retry)).followUp).toMatch(/changed meanwhile: now queued/); // a double click
    expect((await mr(ids.two)).version).toBe(held.version + 1);
    const audit = await town.json<Array<{ actor: string; verb: string; outcome: string }>>('gt', [
      'audit',
      '--limit',
      '50',
    ]);
    expect(
      audit.filter((a) => a.actor.startsWith('discord:')).map((a) => [a.actor, a.verb, a.outcome]),
    ).toEqual([
      ['discord:2002', 'gt mq retry', 'refused'],
      ['discord:2002', 'gt mq retry', 'ok'],
      ['discord:2002', 'gt mq reject', 'refused'],
      ['discord:2002', 'gt mq land-anyway', 'refused'],
      ['discord:2001', 'gt mq retry', 'refused'],
    ]);
  }, 90_000);

  it('freezes and thaws from the card, for whom the policy lets, and shows what landed', async () => {
    const ask = await click('2002', button('Freeze'), false);
    const yes = (ask.first as { data: Body }).data.components?.[0]?.components[0]?.custom_id ?? '';
    expect(yes).toBe('mq:yes:rig:alpha:freeze');
    expect((await click('2002', yes)).followUp).toMatch(/may not run gt mq freeze: it needs mq:freeze/);
    await click('2003', yes, false);
    await waitFor(async () => (await town.run('gt', ['mq', 'list', 'alpha'])).stdout.startsWith('⏸'), 10_000);
    expect((await town.run('gt', ['mq', 'list', 'alpha'])).stdout).toMatch(
      /^⏸ alpha frozen by discord:2003 \S+: frozen from chat$/m,
    );
    await untilCard(
      'frozen',
      (t) => t.includes('**Frozen** by discord:2003') && t.includes('mq:act:rig:alpha:thaw'),
    );

    writeFileSync(join(go, 'go-mr-one.txt'), '');
    writeFileSync(join(go, 'go-mr-two.txt'), '');
    await click('2003', button('Thaw'), false);
    await waitFor(
      async () => (await mr(ids.one)).status === 'merged' && (await mr(ids.two)).status === 'merged',
      30_000,
      () => town.serviceOutput.slice(-2000),
    );
    const shas = await Promise.all(
      [ids.one, ids.two].map(async (id) => (await mr(id)).merge_commit?.slice(0, 8)),
    );
    await untilCard('both landed', (t) => shas.every((s) => t.includes(`\`${s}\``)) && !t.includes('Frozen'));
    expect(JSON.stringify(body(card()))).toContain('✓ Landed');
    expect(posts()).toHaveLength(1);
    expect(
      api.requests.filter((r) => r.method === 'PATCH' && r.path.startsWith('/api/v10/channels/555/')).length,
    ).toBeGreaterThan(3);
  }, 90_000);
});
