import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackEnv, usergroupMembers, writePolicy } from '../support/chat-setup.ts';
import { RecordingServer } from '../support/recording-server.ts';
import { SlackClient } from '../support/slack-client.ts';
import { Town } from './town.ts';

const SECRET = 'slack-signing-secret-for-tests';

/**
 * Issue 6 item 1 through the real protocol surface: form-encoded slash commands signed as Slack
 * signs them, POSTed to the running service's /slack/events; its Web API calls and response-URL
 * answers captured by a local recording server. No Slack mock inside the service.
 */
describe('Slack slash commands', () => {
  const town = new Town();
  const slackApi = new RecordingServer();
  let slack: SlackClient;
  let n = 0;

  beforeAll(async () => {
    await slackApi.start();
    slackApi.answer(usergroupMembers('S_APPROVERS', ['U_CAROL']));
    const policy = writePolicy(town, {
      roles: {
        admin: { permissions: ['admin'] },
        alphaOps: { permissions: ['read', 'bead:write', 'sling', 'escalation:ack'], rigs: ['alpha'] },
        approver: { permissions: ['read', 'escalation:ack', 'escalation:approve'] },
      },
      slack: {
        users: { U_ADMIN: ['admin'], U_OPS: ['alphaOps'] },
        usergroups: { S_APPROVERS: ['approver'] },
      },
    });
    await town.up(['--http-port', '0'], {
      SLACK_MODE: 'http',
      ...slackEnv(slackApi, SECRET),
      GT_POLICY_FILE: policy,
    });
    slack = new SlackClient(town.runtime().http_url, SECRET);
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al']);
    await town.json('gt', ['rig', 'add', 'beta', '--prefix', 'be']);
  }, 60_000);
  afterAll(async () => {
    await town.destroy();
    await slackApi.stop();
  });

  /**
   * Runs `/<root> <text>` as `user`; resolves with the HTTP ack and the response-URL answer, its
   * text as Slack shows it (answers are escaped mrkdwn, in a code block when aligned).
   */
  async function slash(root: string, text: string, user = 'U_ADMIN') {
    const path = `/resp/${++n}`;
    const ack = await slack.post(SlackClient.command(root, text, user, `${slackApi.url}${path}`));
    const [answer] = await slackApi.waitFor(path);
    const body = answer?.body as { response_type: string; text: string };
    const shown = body.text
      .replace(/^```|```$/g, '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
    return { ack, type: body.response_type, text: shown };
  }

  it('acknowledges at once and answers changes in the channel, reads only to the caller', async () => {
    const created = await slash('bd', 'create "From Slack" --rig alpha -p 1');
    expect(created.ack.status).toBe(200);
    expect(created.ack.ms).toBeLessThan(3000);
    expect(created.type).toBe('in_channel');
    expect(created.text).toMatch(/^al-\w+$/);
    const listed = await slash('bd', 'list --rig alpha');
    expect(listed.type).toBe('ephemeral');
    expect(listed.text).toContain('From Slack');
    const audit = await town.json<Array<{ actor: string; source: string; verb: string }>>('gt', ['audit']);
    expect(audit[0]).toMatchObject({ actor: 'slack:U_ADMIN', source: 'slack', verb: 'bd create' });
    // No Web API call beyond the answers: Bolt does not ask auth.test who the bot is each time.
    expect(slackApi.to('/api/auth.test')).toEqual([]);
  });

  it('gives the same result as the CLI for the same words', async () => {
    const a = (await town.json<{ id: string }>('bd', ['create', 'Parity A', '--rig', 'alpha'])).id;
    const b = (await town.json<{ id: string }>('bd', ['create', 'Parity B', '--rig', 'alpha'])).id;
    await town.json('bd', ['dep', 'add', b, a]);
    await town.json('gt', ['convoy', 'create', 'Parity convoy', a, b]);
    for (const words of [
      ['bd', 'list'],
      ['bd', 'show', a],
      ['bd', 'ready'],
      ['bd', 'blocked'],
      ['bd', 'dep', 'tree', b],
      ['gt', 'rig', 'list'],
      ['gt', 'convoy', 'list'],
      ['gt', 'escalation', 'list'],
      ['gt', 'polecats'],
    ]) {
      const [root, ...rest] = words as ['gt' | 'bd', ...string[]];
      const cli = await town.run(root, rest);
      expect(cli.code, cli.stderr).toBe(0);
      expect((await slash(root, rest.join(' '))).text, words.join(' ')).toBe(cli.stdout.trim());
    }
  }, 60_000);

  it('lists in help only what the caller may run, and refuses the rest with nothing changed', async () => {
    const help = await slash('gt', 'help', 'U_OPS');
    expect(help.text).toContain('/gt sling');
    expect(help.text).not.toContain('/gt rig add');
    const park = await slash('gt', 'rig park alpha', 'U_OPS');
    expect(park.type).toBe('ephemeral');
    expect(park.text).toMatch(/may not run gt rig park: it needs admin/);
    const beta = await slash('bd', 'create "not mine" --rig beta', 'U_OPS');
    expect(beta.text).toMatch(/needs bead:write on rig beta/);
    expect(
      (await town.json<Array<{ name: string; parked: boolean }>>('gt', ['rig', 'list'])).every(
        (r) => !r.parked,
      ),
    ).toBe(true);
    expect(
      (await town.json<Array<{ title: string }>>('bd', ['list', '--all'])).map((x) => x.title),
    ).not.toContain('not mine');
    const stranger = await slash('bd', 'list', 'U_STRANGER');
    expect(stranger.text).toMatch(/needs read/);
    // Group membership comes from usergroups.users.list.
    expect((await slash('gt', 'help', 'U_CAROL')).text).toContain('/gt escalation resolve');
  });

  it('refuses a forged signature, a stale or future timestamp and a replay, changing nothing', async () => {
    const count = async () => (await town.json<unknown[]>('bd', ['list', '--all'])).length;
    const before = await count();
    const body = (path: string) =>
      SlackClient.command('bd', 'create "Forged" --rig alpha', 'U_ADMIN', `${slackApi.url}${path}`);
    expect((await slack.post(body('/x1'), { signature: `v0=${'0'.repeat(64)}` })).status).toBe(401);
    const old = Math.floor(Date.now() / 1000) - 600;
    expect((await slack.post(body('/x2'), { timestamp: old })).status).toBe(401);
    const future = await slack.post(body('/x3'), { timestamp: Math.floor(Date.now() / 1000) + 600 });
    expect(future.status).toBe(401);
    const replayed = body('/x4');
    const ts = Math.floor(Date.now() / 1000);
    expect((await slack.post(replayed, { timestamp: ts })).status).toBe(200);
    await slackApi.waitFor('/x4');
    const again = await slack.post(replayed, { timestamp: ts });
    expect(again.status).toBe(200);
    const answers = await slackApi.waitFor('/x4', 2);
    expect((answers[1]?.body as { text: string } | undefined)?.text).toMatch(/already handled/);
    // The first delivery answered once its work was done, and the replay was refused, not queued:
    // nothing else can still be running.
    expect(await count()).toBe(before + 1); // only the first delivery of the replayed request ran
    expect(slackApi.to('/x1').length + slackApi.to('/x2').length + slackApi.to('/x3').length).toBe(0);
  });

  it('acknowledges within 3 s even when the work takes longer (the ledger is locked for 4 s)', async () => {
    const db = new DatabaseSync(join(town.home, 'ledger.db'));
    db.exec('PRAGMA busy_timeout = 5000');
    db.exec('BEGIN IMMEDIATE');
    const release = setTimeout(() => db.exec('COMMIT'), 4_000);
    try {
      const path = `/resp/slow-${++n}`;
      const started = Date.now();
      const ack = await slack.post(
        SlackClient.command('bd', 'create "Slow one" --rig alpha', 'U_ADMIN', `${slackApi.url}${path}`),
      );
      expect(ack.status).toBe(200);
      expect(ack.ms).toBeLessThan(3000);
      const [answer] = await slackApi.waitFor(path, 1, 15_000);
      expect((answer?.at ?? 0) - started).toBeGreaterThan(3_500);
      expect((answer?.body as { text: string } | undefined)?.text).toMatch(/^al-\w+$/);
    } finally {
      clearTimeout(release);
      if (db.isTransaction) db.exec('COMMIT');
      db.close();
    }
  }, 30_000);
});
