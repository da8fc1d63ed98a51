import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/ledger/port.ts';
import { gitRepo, waitFor } from '../e2e/runner-process.ts';
import { Town } from '../e2e/town.ts';
import { slackEnv, writePolicy } from '../support/chat-setup.ts';
import { DiscordClient } from '../support/discord-client.ts';
import { RecordingServer } from '../support/recording-server.ts';
import { SlackClient } from '../support/slack-client.ts';

type Bead = { id: string; status: string; assignee: string | null };

const SLACK_SECRET = 'slack-signing-secret-for-security-tests';
const APP = '4343';

/**
 * People whose role reaches only rig alpha, trying cross-rig actions through requests signed as
 * Slack and Discord sign them: closing a convoy that tracks beta's work, reassigning alpha's work
 * to a beta polecat, closing beta's beads. Each answer is "not allowed" naming the permission and
 * rig missing; the ledger is unchanged; the refusal is audited. The same person acts within alpha.
 */
describe('chat users with a role for rig alpha only', () => {
  const town = new Town();
  const api = new RecordingServer();
  const discord = new DiscordClient();
  let slack: SlackClient;
  let n = 0;
  const ids = { alpha: '', beta: '', agent: '', convoy: '', escalation: '', mr: '' };

  beforeAll(async () => {
    await api.start();
    const alphaApprover = {
      permissions: [
        'read',
        'bead:write',
        'sling',
        'convoy:create',
        'convoy:launch',
        'escalation:ack',
        'escalation:approve',
        'mq:write',
      ],
      rigs: ['alpha'],
    };
    const policy = writePolicy(town, {
      roles: { 'alpha-approver': alphaApprover },
      slack: { users: { U_ALPHA: ['alpha-approver'] } },
      discord: { users: { '2001': ['alpha-approver'] } },
    });
    await town.up(['--http-port', '0'], {
      SLACK_MODE: 'http',
      ...slackEnv(api, SLACK_SECRET),
      DISCORD_APP_ID: APP,
      DISCORD_PUBLIC_KEY: discord.publicKeyHex,
      DISCORD_BOT_TOKEN: 'bot-token',
      DISCORD_API_URL: `${api.url}/api`,
      GT_POLICY_FILE: policy,
    });
    slack = new SlackClient(town.runtime().http_url, SLACK_SECRET);
    discord.url = town.runtime().http_url;
    for (const rig of ['alpha', 'beta'])
      await town.json('gt', ['rig', 'add', rig, '--prefix', rig.slice(0, 2)]);
    // A merge request of rig gamma, held (its rig has no gate policy yet).
    const repo = gitRepo();
    await town.json('gt', ['rig', 'add', 'gamma', '--prefix', 'ga', '--repo', repo]);
    execFileSync('git', ['-C', repo, 'checkout', '-q', '-b', 'feature']);
    execFileSync('git', [
      '-C',
      repo,
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@e',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'f',
    ]);
    ids.mr = (await town.json<{ id: string }>('gt', ['mq', 'submit', 'feature', '--rig', 'gamma'])).id;
    ids.alpha = (await town.json<Bead>('bd', ['create', 'alpha work', '--rig', 'alpha'])).id;
    ids.beta = (await town.json<Bead>('bd', ['create', 'beta work', '--rig', 'beta'])).id;
    await town.json('gt', ['sling', ids.alpha]);
    ids.agent = (await town.json<Bead[]>('bd', ['show', ids.alpha]))[0]?.assignee as string;
    ids.convoy = (
      await town.json<{ id: string }>('gt', ['convoy', 'create', 'both rigs', ids.alpha, ids.beta])
    ).id;
    ids.escalation = (
      await town.json<{ id: string }>('gt', [
        'escalate',
        '-s',
        'medium',
        'stuck',
        '--bead',
        ids.alpha,
        '--agent',
        ids.agent,
        '--kind',
        'stuck-agent',
        '--propose',
        'reassign:beta/Toast',
      ])
    ).id;
  }, 60_000);
  afterAll(async () => {
    await town.destroy();
    await api.stop();
  });

  async function viaSlack(root: string, text: string): Promise<string> {
    const path = `/resp/${++n}`;
    await slack.post(SlackClient.command(root, text, 'U_ALPHA', `${api.url}${path}`));
    const [answer] = await api.waitFor(path);
    return String((answer?.body as { text?: string } | undefined)?.text ?? '');
  }
  async function viaDiscord(root: string, path: string[], options: Record<string, string | boolean>) {
    const i = discord.interaction(2, DiscordClient.command(root, path, options), '2001');
    await discord.post(i);
    const [answer] = await api.waitFor(`/api/v10/webhooks/${APP}/${String(i.token)}`);
    return String((answer?.body as { content?: string } | undefined)?.content ?? '');
  }

  const attempts = () => [
    {
      what: 'close a convoy that tracks beta work',
      slack: ['gt', `convoy close ${ids.convoy} --force`] as const,
      discord: ['gt', ['convoy', 'close'], { convoy: ids.convoy, force: true }] as const,
      missing: /may not run gt convoy close: it needs convoy:launch on rig beta/,
    },
    {
      what: 'reassign alpha work to a beta polecat',
      slack: ['gt', `escalation resolve ${ids.escalation} --action reassign:beta/Toast --force`] as const,
      discord: [
        'gt',
        ['escalation', 'resolve'],
        { id: ids.escalation, action: 'reassign:beta/Toast', force: true },
      ] as const,
      missing: /may not run gt escalation resolve: it needs escalation:approve on rig beta/,
    },
    {
      what: 'close a bead of beta',
      slack: ['bd', `close ${ids.beta}`] as const,
      discord: ['bd', ['close'], { ids: ids.beta }] as const,
      missing: /may not run bd close: it needs bead:write on rig beta/,
    },
    {
      what: 'reject a merge request of rig gamma',
      slack: ['gt', `mq reject ${ids.mr} -r nope`] as const,
      discord: ['gt', ['mq', 'reject'], { mr: ids.mr, reason: 'nope' }] as const,
      missing: /may not run gt mq reject: it needs mq:write on rig gamma/,
    },
    {
      what: 'sling beta work',
      slack: ['gt', `sling ${ids.beta}`] as const,
      discord: ['gt', ['sling'], { id: ids.beta }] as const,
      missing: /may not run gt sling: it needs sling on rig beta/,
    },
  ];

  it('is refused everything across the rig boundary, on Slack and on Discord, with nothing changed', async () => {
    for (const a of attempts()) {
      const [root, text] = a.slack;
      expect(await viaSlack(root, text), a.what).toMatch(/not allowed: /);
      expect(await viaSlack(root, text), a.what).toMatch(a.missing);
      const [droot, path, options] = a.discord;
      const content = await viaDiscord(droot, [...path], { ...options });
      expect(content, a.what).toMatch(/not allowed: /);
      expect(content, a.what).toMatch(a.missing);
    }
    const [alpha, beta] = await town.json<Bead[]>('bd', ['show', ids.alpha, ids.beta]);
    expect([alpha?.status, alpha?.assignee, beta?.status]).toEqual(['hooked', ids.agent, 'open']);
    expect((await town.json<{ status: string }>('gt', ['convoy', 'status', ids.convoy])).status).toBe('open');
    expect((await town.json<Array<{ id: string }>>('gt', ['escalation', 'list'])).map((e) => e.id)).toContain(
      ids.escalation,
    );
    const audit = await town.json<AuditRecord[]>('gt', ['audit', '--limit', '200']);
    for (const [actor, source] of [
      ['slack:U_ALPHA', 'slack'],
      ['discord:2001', 'discord'],
    ]) {
      const refused = audit.filter((r) => r.actor === actor && r.outcome === 'refused');
      expect(refused.map((r) => r.verb).sort(), actor).toEqual(
        expect.arrayContaining([
          'bd close',
          'gt convoy close',
          'gt escalation resolve',
          'gt mq reject',
          'gt sling',
        ]),
      );
      expect(refused.every((r) => r.source === source && /not allowed/.test(r.message ?? ''))).toBe(true);
    }
  });

  it('reads the merge queue from chat, as the CLI shows it', async () => {
    const held = async () =>
      (await town.json<{ status: string }>('gt', ['mq', 'status', ids.mr])).status === 'held';
    await waitFor(held, 20_000, () => 'the merge request was never held');
    const listed = await viaSlack('gt', 'mq list gamma');
    expect(listed).toContain(ids.mr);
    expect(listed).toMatch(/held/);
    expect(await viaDiscord('gt', ['mq', 'status'], { mr: ids.mr })).toContain('feature@');
  });

  it('acts within its own rig', async () => {
    const created = await viaSlack('bd', 'create "from chat" --rig alpha');
    expect(created).toMatch(/^al-\w+$/);
    expect(
      await viaDiscord('gt', ['escalation', 'resolve'], { id: ids.escalation, action: 'acknowledge' }),
    ).toMatch(/resolved/);
  });
});
