import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackEnv, writePolicy } from '../support/chat-setup.ts';
import { RecordingServer } from '../support/recording-server.ts';
import { SlackClient } from '../support/slack-client.ts';
import { waitFor } from './runner-process.ts';
import { Town } from './town.ts';

const SECRET = 'slack-signing-secret-for-mail';

/**
 * Issue 6 item 6: mail to a person is delivered as a Slack DM, and a reply in its thread (an
 * Events API message, signed as Slack signs it) goes back as mail — once, however often Slack
 * retries the event.
 */
describe('mail to people over Slack', () => {
  const town = new Town();
  const slackApi = new RecordingServer();
  let slack: SlackClient;

  beforeAll(async () => {
    await slackApi.start();
    slackApi.answer((r) =>
      r.path === '/api/conversations.open' ? { body: { ok: true, channel: { id: 'D_ALICE' } } } : undefined,
    );
    const policy = writePolicy(town, {
      roles: { person: { permissions: ['read', 'mail:send'] } },
      slack: { users: { U_ALICE: ['person'] } },
      people: { alice: { slack: 'U_ALICE' } },
    });
    await town.up(['--http-port', '0'], {
      ...slackEnv(slackApi, SECRET),
      GT_POLICY_FILE: policy,
    });
    slack = new SlackClient(town.runtime().http_url, SECRET);
  }, 60_000);
  afterAll(async () => {
    await town.destroy();
    await slackApi.stop();
  });

  it('delivers mail to a person as a DM and carries a thread reply back as mail, once', async () => {
    const [sent] = await town.json<Array<{ id: string }>>('gt', [
      'mail',
      'send',
      'alice',
      '--human',
      '-s',
      'Need a decision',
      '-m',
      'Ship v2 or wait?',
    ]);
    const [open] = await slackApi.waitFor('/api/conversations.open');
    expect(open?.body).toMatchObject({ users: 'U_ALICE' });
    await waitFor(
      () =>
        slackApi
          .to('/api/chat.postMessage')
          .some((r) => (r.body as { channel: string }).channel === 'D_ALICE'),
      10_000,
    );
    const dm = slackApi
      .to('/api/chat.postMessage')
      .find((r) => (r.body as { channel: string }).channel === 'D_ALICE');
    expect((dm?.body as { text: string } | undefined)?.text).toMatch(
      /Need a decision.*from human:e2e-user[\s\S]*Ship v2 or wait\?/,
    );
    const ts = `${Math.floor(Date.now() / 1000)}.000100`;
    const threadTs = (dm?.answer as { ts: string } | undefined)?.ts; // the DM's ts, as the Web API answered it
    const event = {
      token: 'legacy',
      team_id: 'T1',
      api_app_id: 'A1',
      type: 'event_callback',
      event_id: 'Ev-reply-1',
      event_time: Math.floor(Date.now() / 1000),
      event: {
        type: 'message',
        channel: 'D_ALICE',
        channel_type: 'im',
        user: 'U_ALICE',
        text: 'Ship it.',
        ts,
        thread_ts: threadTs,
      },
    };
    const body = JSON.stringify(event);
    expect((await slack.postJson(body)).status).toBe(200);
    expect(
      (await slack.postJson(body, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' }))
        .status,
    ).toBe(200);
    let thread: Array<{ from: string; to: string; subject: string; body: string }> = [];
    await waitFor(async () => {
      thread = await town.json('gt', ['mail', 'thread', sent?.id as string]);
      return thread.length >= 2;
    }, 10_000);
    await new Promise((r) => setTimeout(r, 500));
    thread = await town.json('gt', ['mail', 'thread', sent?.id as string]);
    expect(thread).toHaveLength(2); // the retried event did not send it twice
    expect(thread[1]).toMatchObject({
      from: 'human:slack-U_ALICE',
      to: 'human:e2e-user',
      subject: 'Re: Need a decision',
      body: 'Ship it.',
    });
  }, 60_000);
});
