import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackEnv, usergroupMembers, writePolicy } from '../support/chat-setup.ts';
import { type Recorded, RecordingServer } from '../support/recording-server.ts';
import { SlackClient } from '../support/slack-client.ts';
import { waitFor } from './runner-process.ts';
import { Town } from './town.ts';

const SECRET = 'slack-signing-secret-for-cards';
type Bead = { id: string; status: string; assignee: string | null; version: number; close_reason: string };
type Block = { type: string; text?: { text: string }; elements?: Array<Record<string, unknown>> };

/**
 * Issue 6 items 3 and 4 through the real surfaces: escalation pings and convoy cards posted to a
 * recording Slack Web API, and button clicks sent back as signed `block_actions` payloads.
 */
describe('Slack escalation pings and convoy cards', () => {
  const town = new Town();
  const slackApi = new RecordingServer();
  let slack: SlackClient;
  let n = 0;

  beforeAll(async () => {
    await slackApi.start();
    slackApi.answer(usergroupMembers('S_APPROVERS', ['U_CAROL']));
    // The first card post is rate limited: it must be retried after Retry-After, and counted.
    let limited = false;
    slackApi.answer((r) => {
      if (limited || r.path !== '/api/chat.postMessage') return undefined;
      limited = true;
      return { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } };
    });
    const policy = writePolicy(town, {
      roles: {
        ops: { permissions: ['read', 'escalation:ack'], rigs: ['alpha'] },
        approver: { permissions: ['read', 'escalation:ack', 'escalation:approve'] },
      },
      slack: { users: { U_OPS: ['ops'] }, usergroups: { S_APPROVERS: ['approver'] } },
      routing: {
        escalations: [{ channel: { slack: 'C_ESC' }, mention: { slack: '<!subteam^S_ONCALL>' } }],
        convoys: { slack: 'C_CONVOYS' },
      },
    });
    await town.up(['--http-port', '0'], {
      ...slackEnv(slackApi, SECRET),
      GT_POLICY_FILE: policy,
      GT_WITNESS_INTERVAL_S: '1', // self-retirement within the test
    });
    slack = new SlackClient(town.runtime().http_url, SECRET);
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al', '--max-polecats', '3']);
  }, 60_000);
  afterAll(async () => {
    await town.destroy();
    await slackApi.stop();
  });

  const show = async (id: string) => (await town.json<Bead[]>('bd', ['show', id]))[0] as Bead;
  const posts = (channel: string) =>
    slackApi.to('/api/chat.postMessage').filter((r) => (r.body as { channel?: string }).channel === channel);
  const blocksOf = (r: Recorded | undefined) =>
    ((r?.body as { blocks?: Block[] } | undefined)?.blocks ?? []) as Block[];
  const buttons = (r: Recorded | undefined) =>
    blocksOf(r).find((b) => b.type === 'actions')?.elements as
      | Array<{ action_id: string; value: string; confirm?: object }>
      | undefined;
  const textOf = (r: Recorded | undefined) => JSON.stringify(blocksOf(r));

  /** Clicks a button as `user`; returns the ephemeral answer on the response URL, if any. */
  async function click(user: string, button: { action_id: string; value: string }) {
    const path = `/click/${++n}`;
    const payload = {
      type: 'block_actions',
      user: { id: user, username: user.toLowerCase(), team_id: 'T1' },
      api_app_id: 'A1',
      token: 'legacy',
      team: { id: 'T1', domain: 'town' },
      channel: { id: 'C_ESC', name: 'escalations' },
      container: { type: 'message', channel_id: 'C_ESC', message_ts: '1.000001' },
      trigger_id: `trigger-${n}`,
      response_url: `${slackApi.url}${path}`,
      actions: [
        {
          type: 'button',
          action_id: button.action_id,
          block_id: 'esc',
          value: button.value,
          action_ts: '1.1',
        },
      ],
    };
    const res = await slack.post(SlackClient.payload(payload));
    expect(res.status).toBe(200);
    return path;
  }

  it('pings, refuses unauthorized and stale clicks, applies an authorized one once, and rewrites the card', async () => {
    const work = (await town.json<Bead>('bd', ['create', 'Stuck work', '--rig', 'alpha'])).id;
    await town.json('gt', ['sling', work]);
    const escalation = await town.json<Bead>('gt', [
      'escalate',
      '-s',
      'high',
      'alpha/Toast is stalled',
      '-m',
      'last output 900s ago',
      '--kind',
      'stuck-agent',
      '--agent',
      'alpha/Toast',
      '--bead',
      work,
      '--propose',
      'reassign:alpha/Nux',
      '--propose',
      'acknowledge',
    ]);
    await waitFor(() => posts('C_ESC').length === 1, 10_000);
    const ping = posts('C_ESC')[0];
    expect(textOf(ping)).toContain('<!subteam^S_ONCALL>');
    expect(textOf(ping)).toContain('last output 900s ago');
    const version = (await show(escalation.id)).version;
    const approve = buttons(ping)?.find((b) => b.value === `${escalation.id}:${version}:reassign:alpha/Nux`);
    expect(approve?.confirm).toBeDefined();

    const denied = await click('U_OPS', approve as { action_id: string; value: string });
    const [deniedAnswer] = await slackApi.waitFor(denied);
    expect((deniedAnswer?.body as { text: string } | undefined)?.text).toMatch(/needs escalation:approve/);
    const stale = await click('U_CAROL', {
      action_id: approve?.action_id as string,
      value: `${escalation.id}:${version - 1}:reassign:alpha/Nux`,
    });
    expect(((await slackApi.waitFor(stale))[0]?.body as { text: string } | undefined)?.text).toMatch(
      /changed since version/,
    );
    expect(await show(work)).toMatchObject({ status: 'hooked', assignee: 'alpha/Toast' });

    await click('U_CAROL', approve as { action_id: string; value: string });
    await waitFor(async () => (await show(work)).assignee === 'alpha/Nux', 10_000);
    const again = await click('U_CAROL', approve as { action_id: string; value: string });
    expect(((await slackApi.waitFor(again))[0]?.body as { text: string } | undefined)?.text).toMatch(
      /already resolved/,
    );

    await waitFor(
      () => slackApi.to('/api/chat.update').some((r) => textOf(r).includes('Approved by <@U_CAROL>')),
      10_000,
    );
    const rewritten = slackApi.to('/api/chat.update').filter((r) => textOf(r).includes('Approved by'))[0];
    expect(buttons(rewritten)).toBeUndefined(); // buttons removed
    expect(textOf(rewritten)).toContain('reassigned to alpha/Nux');
    expect(posts('C_ESC')).toHaveLength(1); // edits, never a second ping
    const audit = await town.json<Array<{ actor: string; verb: string; outcome: string }>>('gt', [
      'audit',
      '--limit',
      '10',
    ]);
    expect(audit.filter((a) => a.verb === 'gt escalation resolve').map((a) => [a.actor, a.outcome])).toEqual([
      ['slack:U_CAROL', 'refused'],
      ['slack:U_CAROL', 'ok'],
      ['slack:U_CAROL', 'refused'],
      ['slack:U_OPS', 'refused'],
    ]);
  }, 60_000);

  it('rewrites the card of an escalation that retires itself', async () => {
    const work = (await town.json<Bead>('bd', ['create', 'Needs a call', '--rig', 'alpha'])).id;
    const e = await town.json<Bead>('gt', [
      'escalate',
      '-s',
      'medium',
      'Which API version?',
      '--kind',
      'decision',
      '--bead',
      work,
    ]);
    await waitFor(() => posts('C_ESC').some((r) => textOf(r).includes(e.id)), 10_000);
    await town.json('bd', ['close', work]);
    await waitFor(
      () =>
        slackApi
          .to('/api/chat.update')
          .some((r) => textOf(r).includes(e.id) && textOf(r).includes('Retired')),
      15_000,
    );
    const card = slackApi
      .to('/api/chat.update')
      .find((r) => textOf(r).includes(e.id) && textOf(r).includes('Retired'));
    expect(textOf(card)).toContain(`${work} was closed`);
    expect(buttons(card)).toBeUndefined();
  }, 30_000);

  it('posts one convoy card, edits it in place as beads move, and shows it landed', async () => {
    const a = (await town.json<Bead>('bd', ['create', 'First', '--rig', 'alpha'])).id;
    const b = (await town.json<Bead>('bd', ['create', 'Second', '--rig', 'alpha'])).id;
    await town.json('bd', ['dep', 'add', b, a]);
    const { convoy_id: convoy } = await town.json<{ convoy_id: string }>('gt', ['convoy', 'launch', a, b]);
    const cards = () =>
      posts('C_CONVOYS').filter(
        (r) => textOf(r).includes(convoy) && !(r.body as { thread_ts?: string }).thread_ts,
      );
    await waitFor(() => cards().length === 1, 10_000);
    expect(textOf(cards()[0])).toContain('0/2');
    await town.json('bd', ['close', a]);
    await waitFor(() => slackApi.to('/api/chat.update').some((r) => textOf(r).includes('1/2')), 10_000);
    await town.json('bd', ['close', b]);
    await waitFor(() => slackApi.to('/api/chat.update').some((r) => textOf(r).includes('landed')), 10_000);
    expect(cards()).toHaveLength(1); // one card per convoy
    const metrics = await (await fetch(`${town.runtime().http_url}/metrics`)).text();
    expect(metrics).toMatch(/gt_chat_rate_limited_total\{platform="slack"\} 1\b/);
    expect(metrics).toMatch(
      /gt_commands_total\{verb="gt escalation resolve",outcome="refused",source="slack"\} 3\b/,
    );
    const edits = slackApi.to('/api/chat.update').filter((r) => textOf(r).includes(convoy));
    expect(new Set(edits.map((r) => (r.body as { channel: string }).channel))).toEqual(
      new Set(['C_CONVOYS']),
    );
    const threaded = slackApi
      .to('/api/chat.postMessage')
      .filter(
        (r) =>
          (r.body as { thread_ts?: string }).thread_ts !== undefined &&
          (r.body as { text: string }).text.includes(a),
      );
    expect(threaded.length).toBeGreaterThan(0);
    expect(String((threaded[0]?.body as { reply_broadcast?: unknown } | undefined)?.reply_broadcast)).toBe(
      'false',
    );
  }, 60_000);

  it('counts a failed Web API call by its error code, survives it, and the ping arrives on redelivery', async () => {
    let refusedOnce = false;
    slackApi.answer((r) => {
      const body = r.body as { channel?: string; text?: string };
      if (refusedOnce || r.path !== '/api/chat.postMessage' || !String(body.text).includes('Flaky ping'))
        return undefined;
      refusedOnce = true;
      return { body: { ok: false, error: 'not_in_channel' } };
    });
    const flaky = () =>
      posts('C_ESC').filter((r) => String((r.body as { text?: string }).text).includes('Flaky ping'));
    await town.json('gt', ['escalate', '-s', 'low', 'Flaky ping']);
    await waitFor(
      () => flaky().length === 2,
      30_000,
      () => town.serviceOutput.slice(-2000),
    );
    expect(flaky().map((r) => (r.answer as { ok: boolean }).ok)).toEqual([false, true]);
    const metrics = await (await fetch(`${town.runtime().http_url}/metrics`)).text();
    expect(metrics).toMatch(/gt_chat_api_errors_total\{platform="slack",code="not_in_channel"\} 1\b/);
  }, 40_000);
});
