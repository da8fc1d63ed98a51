import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { polecatNames } from '../../src/domain/sling.ts';
import { slackEnv, writePolicy } from '../support/chat-setup.ts';
import { DiscordClient } from '../support/discord-client.ts';
import {
  EVIL,
  EVIL_DISCORD,
  EVIL_SLACK,
  isDiscordMessage,
  mentionProblems,
  rawDiscordTokens,
  rawSlackTokens,
  type Sent,
  stringsOf,
} from '../support/inert-check.ts';
import { type Recorded, RecordingServer } from '../support/recording-server.ts';
import { SlackClient } from '../support/slack-client.ts';
import { waitFor } from './runner-process.ts';
import { Town } from './town.ts';

const SECRET = 'slack-signing-secret-for-inert-text';
const APP = '4242';
const ONCALL_SLACK = '<!subteam^S0ONCALL>';
const ONCALL_ROLE = '111111111111111111';
/** At most three polecats of alpha are busy here: the fourth is free to take over. */
const FREE_POLECAT = `alpha/${polecatNames(4)[3]}`;
type Bead = { id: string; assignee: string | null };
type SlackButton = { action_id: string; value: string };
type Response = { type: number; data?: unknown };

/**
 * DESIGN §8: text written by agents or people is inert wherever chat shows it. A real town with
 * Slack and Discord pointed at one recording server; beads, a convoy, escalations, mail and
 * commands carry a mention-injection payload, and the service is made to send every kind of
 * message. Each kind shows the payload escaped; then every string of every captured request is
 * checked for raw mentions, and every Discord message for `allowed_mentions`.
 */
describe('chat output is inert', () => {
  const town = new Town();
  const api = new RecordingServer(); // the Slack Web API, response URLs and the Discord REST API
  const discord = new DiscordClient();
  const responses: Response[] = []; // the service's HTTP answers to Discord interactions
  let slack: SlackClient;
  let agent = '';
  let n = 0;

  beforeAll(async () => {
    await api.start();
    api.answer((r) =>
      r.path === '/api/conversations.open' ? { body: { ok: true, channel: { id: 'D_ALICE' } } } : undefined,
    );
    const oncall = { slack: ONCALL_SLACK, discord: `<@&${ONCALL_ROLE}>` };
    const policy = writePolicy(town, {
      roles: { admin: { permissions: ['admin'] }, viewer: { permissions: ['read'] } },
      slack: { users: { U_ADMIN: ['admin'], U_ALICE: ['admin'] } },
      discord: { users: { '1001': ['admin'], '1003': ['viewer'], '2002': ['admin'] } },
      people: { alice: { slack: 'U_ALICE', discord: '2002' } },
      routing: {
        escalations: [{ channel: { slack: 'C_ESC', discord: '555' }, mention: oncall }],
        convoys: { slack: 'C_CONVOYS', discord: '666' },
      },
    });
    await town.up(['--http-port', '0'], {
      ...slackEnv(api, SECRET),
      DISCORD_APP_ID: APP,
      DISCORD_PUBLIC_KEY: discord.publicKeyHex,
      DISCORD_BOT_TOKEN: 'bot-token',
      DISCORD_API_URL: `${api.url}/api`,
      GT_POLICY_FILE: policy,
    });
    slack = new SlackClient(town.runtime().http_url, SECRET);
    discord.url = town.runtime().http_url;
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al', '--max-polecats', '4']);
  }, 60_000);
  afterAll(async () => {
    await town.destroy();
    await api.stop();
  });

  const slackSent = () => api.requests.filter((r) => !r.path.startsWith('/api/v10/'));
  const discordSent = () => api.requests.filter((r) => r.path.startsWith('/api/v10/'));
  /** Whether a string of the body at `field` (a path prefix like `blocks`) contains `text`. */
  const shows = (r: Recorded | undefined, text: string, field = '') =>
    stringsOf(r?.body).some((s) => s.at.startsWith(field) && s.text.includes(text));
  const slackTo = (channel: string, method = 'chat.postMessage') =>
    api.to(`/api/${method}`).filter((r) => (r.body as { channel?: string }).channel === channel);
  const discordTo = (channel: string, method = 'POST') =>
    api.to(`/api/v10/channels/${channel}/messages`).filter((r) => r.method === method);
  const discordMessage = (...texts: string[]) =>
    discordSent().find((r) => isDiscordMessage(r) && texts.every((t) => shows(r, t)));
  /** The elements of a Slack message's blocks, or the components of a Discord message's rows. */
  function buttons<T>(r: Recorded): Array<Partial<T>> {
    const body = r.body as { blocks?: Array<{ elements?: T[] }>; components?: Array<{ components?: T[] }> };
    const rows = [
      ...(body.blocks ?? []).map((b) => b.elements),
      ...(body.components ?? []).map((c) => c.components),
    ];
    return rows.flatMap((row) => row ?? []);
  }

  /** Polls until `find` returns a request, and returns it. */
  async function arrived(what: string, find: () => Recorded | undefined): Promise<Recorded> {
    await waitFor(
      () => find() !== undefined,
      15_000,
      () => `for ${what}`,
    );
    return find() as Recorded;
  }
  async function asAgent<T>(args: string[]): Promise<T> {
    const r = await town.run('gt', [...args, '--json'], { GT_AGENT: agent });
    if (r.code !== 0) throw new Error(`gt ${args[0]} as ${agent} failed (${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }
  /** `/root text` from Slack as U_ADMIN; returns the answer posted to the response URL. */
  async function slash(root: string, text: string): Promise<Recorded> {
    const path = `/respond/${++n}`;
    await slack.post(SlackClient.command(root, text, 'U_ADMIN', `${api.url}${path}`));
    return (await api.waitFor(path))[0] as Recorded;
  }
  /** A signed Discord interaction; the service's answer is kept for the final check. */
  async function interact(type: number, data: object, user: string) {
    const i = discord.interaction(type, data, user);
    const answer = (await discord.post(i)).json as Response;
    responses.push(answer);
    return { answer, later: () => api.waitFor(`/api/v10/webhooks/${APP}/${i.token}`) };
  }
  const click = (custom_id: string, user: string) => interact(3, { custom_id, component_type: 2 }, user);

  it('shows convoy cards, their edits and thread details with the payload escaped', async () => {
    const a = (await town.json<Bead>('bd', ['create', EVIL, '--rig', 'alpha', '-d', EVIL])).id;
    const b = (await town.json<Bead>('bd', ['create', 'Second', '--rig', 'alpha'])).id;
    await town.json('bd', ['dep', 'add', b, a]);
    await town.json('bd', ['comment', a, EVIL]);
    const convoy = (await town.json<Bead>('gt', ['convoy', 'create', EVIL, a, b])).id;
    const card = await arrived('a Slack card', () => slackTo('C_CONVOYS').find((r) => shows(r, convoy)));
    expect(shows(card, EVIL_SLACK, 'blocks') && shows(card, EVIL_SLACK, 'text')).toBe(true);
    const posted = await arrived('a Discord card', () => discordTo('666').find((r) => shows(r, convoy)));
    expect(shows(posted, EVIL_DISCORD, 'content') && shows(posted, EVIL_DISCORD, 'embeds')).toBe(true);
    await town.json('gt', ['sling', a]);
    await town.json('bd', ['close', a, '-r', EVIL]);
    const detail = await arrived('a Slack thread detail', () =>
      slackTo('C_CONVOYS').find((r) => shows(r, 'closed by', 'text')),
    );
    expect(shows(detail, `: ${EVIL_SLACK}`, 'text')).toBe(true);
    const edit = await arrived('a Slack edit', () =>
      slackTo('C_CONVOYS', 'chat.update').find((r) => shows(r, '1/2')),
    );
    expect(shows(edit, EVIL_SLACK, 'blocks') && shows(edit, EVIL_SLACK, 'text')).toBe(true);
    await arrived('a Discord edit', () => discordTo('666', 'PATCH').find((r) => shows(r, '1/2')));
    await arrived('a Discord thread detail', () => discordMessage('closed by', `: ${EVIL_DISCORD}`));
  }, 60_000);

  it('pings an agent’s escalation mentioning only the routed on-call, and rewrites it once decided', async () => {
    const work = (await town.json<Bead>('bd', ['create', 'Stuck work', '--rig', 'alpha'])).id;
    await town.json('gt', ['sling', work]);
    agent = (await town.json<Bead[]>('bd', ['show', work]))[0]?.assignee as string;
    const e = await asAgent<Bead>([
      'escalate',
      '-s',
      'high',
      EVIL,
      '-m',
      EVIL,
      '--bead',
      work,
      '--propose',
      `reassign:${FREE_POLECAT}`,
    ]);
    const ping = await arrived('a Slack ping', () => slackTo('C_ESC').find((r) => shows(r, e.id)));
    expect(shows(ping, `${EVIL_SLACK}* ${ONCALL_SLACK}`, 'blocks')).toBe(true); // the routed mention, raw
    expect(shows(ping, `>${EVIL_SLACK}`, 'blocks') && shows(ping, EVIL_SLACK, 'text')).toBe(true);
    const onDiscord = await arrived('a Discord ping', () => discordTo('555').find((r) => shows(r, e.id)));
    expect(shows(onDiscord, `<@&${ONCALL_ROLE}> 🟠 **${EVIL_DISCORD}**`, 'content')).toBe(true);
    expect(shows(onDiscord, EVIL_DISCORD, 'embeds')).toBe(true);
    expect((onDiscord.body as { allowed_mentions: unknown }).allowed_mentions).toEqual({
      parse: [],
      roles: [ONCALL_ROLE],
    });
    // Discord: the reassign button asks first, with a message answer to the click.
    const ask = buttons<{ custom_id: string }>(onDiscord).find((b) => b.custom_id?.startsWith('esc:ask:'));
    expect((await click(ask?.custom_id as string, '1001')).answer.type).toBe(4);
    // Slack: a person approves; the card is rewritten on both platforms.
    const approve = buttons<SlackButton>(ping).find((b) => b.value?.endsWith(`:reassign:${FREE_POLECAT}`));
    /** Clicks approve as U_ADMIN; returns where an ephemeral answer would go. */
    const approveAs = async () => {
      const path = `/respond/${++n}`;
      await slack.post(SlackClient.click('U_ADMIN', 'C_ESC', approve as SlackButton, `${api.url}${path}`));
      return path;
    };
    await approveAs();
    const decided = await arrived('the decided Slack card', () =>
      slackTo('C_ESC', 'chat.update').find((r) => shows(r, 'Approved by <@U_ADMIN>')),
    );
    expect(shows(decided, EVIL_SLACK, 'blocks') && shows(decided, EVIL_SLACK, 'text')).toBe(true);
    await arrived('the decided Discord card', () =>
      discordTo('555', 'PATCH').find((r) => shows(r, 'Approved by') && shows(r, EVIL_DISCORD)),
    );
    const [stale] = await api.waitFor(await approveAs()); // a second click: an ephemeral refusal
    expect(stale?.body).toMatchObject({ response_type: 'ephemeral' });
  }, 60_000);

  it('takes a decision on Discord: a deferred update, a refusal follow-up, edits on both platforms', async () => {
    const e = await asAgent<Bead>([
      'escalate',
      '-s',
      'low',
      EVIL,
      '--kind',
      'decision',
      '--propose',
      'acknowledge',
    ]);
    const ping = await arrived('a Discord ping', () => discordTo('555').find((r) => shows(r, e.id)));
    const close = buttons<{ custom_id: string }>(ping).find((b) => b.custom_id?.endsWith(':acknowledge'));
    const refused = await click(close?.custom_id as string, '1003');
    expect(refused.answer).toEqual({ type: 6 });
    expect((await refused.later())[0]?.body).toMatchObject({ flags: 64 });
    expect((await click(close?.custom_id as string, '1001')).answer).toEqual({ type: 6 });
    await arrived('the decided Discord card', () =>
      discordTo('555', 'PATCH').find((r) => shows(r, e.id) && shows(r, 'Closed by <@1001>')),
    );
    const decided = await arrived('the decided Slack card', () =>
      slackTo('C_ESC', 'chat.update').find((r) => shows(r, e.id) && shows(r, 'Closed by discord:1001')),
    );
    expect(shows(decided, EVIL_SLACK, 'blocks') && shows(decided, EVIL_SLACK, 'text')).toBe(true);
  }, 60_000);

  it('shows a decision’s written note escaped on both rewritten cards', async () => {
    const e = await asAgent<Bead>(['escalate', '-s', 'medium', 'Which way?', '--kind', 'help']);
    await arrived('a Slack ping', () => slackTo('C_ESC').find((r) => shows(r, e.id)));
    await arrived('a Discord ping', () => discordTo('555').find((r) => shows(r, e.id)));
    const resolved = await slash('gt', `escalation resolve ${e.id} --action "${EVIL}"`);
    expect(resolved.body).toMatchObject({ response_type: 'in_channel' });
    await arrived('the Slack card with the note', () =>
      slackTo('C_ESC', 'chat.update').find((r) => shows(r, e.id) && shows(r, `: ${EVIL_SLACK}`, 'blocks')),
    );
    await arrived('the Discord card with the note', () =>
      discordTo('555', 'PATCH').find((r) => shows(r, e.id) && shows(r, `: ${EVIL_DISCORD}`, 'embeds')),
    );
  }, 60_000);

  it('delivers an agent’s mail to a person as DMs, and answers replies, with the payload escaped', async () => {
    const [mail] = await asAgent<Bead[]>(['mail', 'send', 'alice', '--human', '-s', EVIL, '-m', EVIL]);
    const dm = await arrived('a Slack DM', () => slackTo('D_ALICE')[0]);
    expect(shows(dm, `📬 *${EVIL_SLACK}* — from ${agent}\n${EVIL_SLACK}\n`, 'text')).toBe(true);
    const threadTs = (dm.answer as { ts: string }).ts;
    expect(
      (await slack.postJson(SlackClient.threadReply('U_ALICE', 'D_ALICE', threadTs, EVIL, 'Ev-1'))).status,
    ).toBe(200);
    await arrived('a Slack thread answer', () => slackTo('D_ALICE').find((r) => shows(r, '↩️ sent to')));
    const onDiscord = await arrived('a Discord DM', () => discordMessage(`mail:reply:${mail?.id}`));
    expect(shows(onDiscord, `📬 **${EVIL_DISCORD}** — from ${agent}\n${EVIL_DISCORD}\n`, 'content')).toBe(
      true,
    );
    expect((await click(`mail:reply:${mail?.id}`, '2002')).answer.type).toBe(9); // the dialog
    const text = { type: 1, components: [{ type: 4, custom_id: 'text', value: EVIL }] };
    const submitted = await interact(5, { custom_id: `mail:reply:${mail?.id}`, components: [text] }, '2002');
    expect(submitted.answer).toEqual({ type: 6 });
    expect(shows((await submitted.later())[0], '↩️ sent to')).toBe(true);
  }, 60_000);

  it('answers slash commands privately and in the channel with the payload escaped', async () => {
    const bead = (await town.json<Bead>('bd', ['create', EVIL, '--rig', 'alpha'])).id;
    const shown = await slash('bd', `show ${bead}`);
    expect(shown.body).toMatchObject({ response_type: 'ephemeral' });
    expect(shows(shown, `${bead}: ${EVIL_SLACK}`, 'text')).toBe(true);
    const created = await slash('gt', `convoy create "${EVIL}"`);
    expect(created.body).toMatchObject({ response_type: 'in_channel' });
    expect(shows(created, `: ${EVIL_SLACK} (0 tracked)`, 'text')).toBe(true);
    const privately = await interact(2, DiscordClient.command('bd', ['show'], { ids: bead }), '1001');
    expect(privately.answer).toEqual({ type: 5, data: { flags: 64, allowed_mentions: { parse: [] } } });
    const [edited] = await privately.later();
    expect(edited?.method).toBe('PATCH');
    expect(shows(edited, `${bead}: ${EVIL_DISCORD}`, 'content')).toBe(true);
    const publicly = await interact(
      2,
      DiscordClient.command('bd', ['update'], { id: bead, priority: '1' }),
      '1001',
    );
    const [announced] = await publicly.later();
    expect(announced?.method).toBe('POST');
    expect(shows(announced, EVIL_DISCORD, 'content')).toBe(true);
  }, 60_000);

  it('never sends a raw mention, and no Discord message may notify anyone but the routed on-call', () => {
    const answers: Sent[] = responses.map((body) => ({
      method: 'ANSWER',
      path: '/discord/interactions',
      body,
    }));
    expect(rawSlackTokens(slackSent())).toEqual([]);
    expect(rawDiscordTokens([...discordSent(), ...answers])).toEqual([]);
    const messages = [
      ...discordSent().filter(isDiscordMessage),
      ...answers
        .filter((a) => [4, 5, 7].includes((a.body as Response).type))
        .map((a) => ({ ...a, body: (a.body as Response).data })),
    ];
    expect(messages.length).toBeGreaterThan(15);
    const problems = messages.flatMap((r) =>
      mentionProblems(r.body, { roles: [ONCALL_ROLE] }).map((p) => `${r.method} ${r.path}: ${p}`),
    );
    expect(problems).toEqual([]);
    // Whatever else went to Discord carries no message: threads opened, DM channels, deletions.
    const others = discordSent().filter(
      (r) =>
        !isDiscordMessage(r) && r.method !== 'DELETE' && !/\/threads$|\/users\/@me\/channels$/.test(r.path),
    );
    expect(others.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });
});
