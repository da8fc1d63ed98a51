import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventSubject, eventsStream } from '../../src/bus/streams.ts';
import { slackEnv } from '../support/chat-setup.ts';
import { type Recorded, RecordingServer } from '../support/recording-server.ts';
import { SlackClient } from '../support/slack-client.ts';
import { type Blocks, type Button, gatedRig, type Mr, mqPolicy, slackButtonClick } from './mq-cards-setup.ts';
import { gitRepo, waitFor } from './runner-process.ts';
import { Town } from './town.ts';

const SECRET = 'slack-signing-secret-for-mq-cards';

/**
 * The living merge-queue card on Slack through the real surfaces: cards posted to and edited on a
 * recording Web API, clicks sent back as signed `block_actions` payloads, events replayed on the
 * town's own NATS. The rig's gate waits for a file per branch, so the test decides when each
 * verification ends (no sleeps).
 */
describe('the merge-queue card on Slack', () => {
  const town = new Town();
  const api = new RecordingServer();
  const go = mkdtempSync(join(tmpdir(), 'gt-mq-go-'));
  const ids = { one: '', two: '', beadOne: '', beadTwo: '', convoy: '' };
  let repo = '';
  let slack: SlackClient;
  let n = 0;

  beforeAll(async () => {
    await api.start();
    await town.up(['--http-port', '0'], {
      ...slackEnv(api, SECRET),
      GT_POLICY_FILE: mqPolicy(town, {
        slack: {
          users: { U_VIEW: ['viewer'], U_MERGE: ['merger'], U_BOSS: ['overrider', 'freezer'] },
        },
        routing: {
          escalations: [{ rigs: ['alpha'], channel: { slack: 'C_ALPHA' } }],
          convoys: { slack: 'C_CONVOYS' },
        },
      }),
      GT_MQ_POLL_S: '1',
    });
    slack = new SlackClient(town.runtime().http_url, SECRET);
    repo = gitRepo();
    await gatedRig(town, repo, go);
  }, 60_000);
  afterAll(async () => {
    await town.destroy();
    await api.stop();
    for (const dir of [go, repo]) rmSync(dir, { recursive: true, force: true });
  });

  const mr = (id: string) => town.json<Mr>('gt', ['mq', 'status', id]);
  const inChannel = (r: Recorded, channel: string) => (r.body as { channel?: string }).channel === channel;
  const cardPosts = () => api.to('/api/chat.postMessage').filter((r) => inChannel(r, 'C_ALPHA'));
  /** The card as last sent (posted or edited). */
  const card = () =>
    api.requests
      .filter((r) => /^\/api\/chat\.(postMessage|update)$/.test(r.path) && inChannel(r, 'C_ALPHA'))
      .at(-1);
  const blocks = (r: Recorded | undefined) => ((r?.body as { blocks?: Blocks })?.blocks ?? []) as Blocks;
  const text = (r: Recorded | undefined) => JSON.stringify(blocks(r));
  const untilCard = (what: string, check: (text: string) => boolean) =>
    waitFor(
      () => check(text(card())),
      30_000,
      () => `the card never showed ${what}: ${text(card())}\n${town.serviceOutput.slice(-2000)}`,
    );
  const buttons = (blockId: string) =>
    (blocks(card()).find((b) => b.block_id === blockId)?.elements ?? []) as Button[];
  const button = (blockId: string, label: string) => {
    const b = buttons(blockId).find((x) => x.text.text === label);
    if (!b) throw new Error(`no ${label} in ${blockId}: ${text(card())}`);
    return b;
  };
  const threadLines = () =>
    api
      .to('/api/chat.postMessage')
      .filter((r) => (r.body as { thread_ts?: string }).thread_ts !== undefined)
      .map((r) => r.body as { channel: string; thread_ts: string; text: string; reply_broadcast?: unknown });
  const branch = (name: string, files: string[]) => {
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args]);
    const tree = join(go, `wt-${name}`);
    git('worktree', 'add', '-q', '-b', name, tree, 'main');
    for (const f of files) writeFileSync(join(tree, f), `${name}\n`);
    execFileSync('git', ['-C', tree, 'add', '-A']);
    execFileSync('git', ['-C', tree, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-qm', name]);
    git('worktree', 'remove', '--force', tree);
  };
  const release = (file: string) => writeFileSync(join(go, `go-${file}`), '');

  /** Clicks a card button as `user`; returns the ephemeral answer (or undefined when none came). */
  async function click(user: string, b: { action_id: string; value: string }, answered = true) {
    const path = `/click/${++n}`;
    const payload = slackButtonClick(user, b, 'mq', `${api.url}${path}`, n);
    expect((await slack.post(SlackClient.payload(payload))).status).toBe(200);
    if (!answered) return undefined;
    return String(((await api.waitFor(path))[0]?.body as { text?: string } | undefined)?.text);
  }

  it('posts one card and edits it in place through queued → verifying → merged, even for a redelivered event', async () => {
    branch('one', ['mr-one.txt']);
    branch('two', ['mr-two.txt', 'bad.txt']);
    ids.beadOne = (await town.json<{ id: string }>('bd', ['create', 'first', '--rig', 'alpha'])).id;
    ids.beadTwo = (await town.json<{ id: string }>('bd', ['create', 'second', '--rig', 'alpha'])).id;
    ids.convoy = (
      await town.json<{ id: string }>('gt', ['convoy', 'create', 'mq work', ids.beadOne, ids.beadTwo])
    ).id;
    await waitFor(() => api.to('/api/chat.postMessage').some((r) => inChannel(r, 'C_CONVOYS')), 10_000);
    const convoyTs = api.to('/api/chat.postMessage').find((r) => inChannel(r, 'C_CONVOYS'))?.answer as {
      ts: string;
    };

    ids.one = (await town.json<Mr>('gt', ['mq', 'submit', 'one', '--bead', ids.beadOne])).id;
    await untilCard('one verifying', (t) => t.includes('Verifying') && t.includes(ids.one));
    ids.two = (await town.json<Mr>('gt', ['mq', 'submit', 'two', '--bead', ids.beadTwo])).id;
    await untilCard('two queued #1', (t) => t.includes(`#1 \`${ids.two}\``));
    expect(text(card())).toMatch(new RegExp(`Verifying.*${ids.one}.* — \\d+s`));
    // The refinery says which gate it is running (NATS, as it starts): the card names it.
    await untilCard('one at its gate', (t) => /gate 1\/1 `[^`]+` \d+s/.test(t));

    // The same event delivered again (a redelivery, a second publisher): no second card.
    const nc = await town.connectNats();
    try {
      const subject = eventSubject('gt', 'mr_submitted', 'alpha');
      const stored = await (await jetstreamManager(nc)).streams.getMessage(eventsStream('gt'), {
        last_by_subj: subject,
      });
      await jetstream(nc).publish(subject, stored?.data ?? new Uint8Array(), { msgID: `dup-${Date.now()}` });
    } finally {
      await nc.close();
    }

    release('mr-one.txt');
    await waitFor(async () => (await mr(ids.one)).status === 'merged', 30_000);
    const landed = await mr(ids.one);
    const sha = (landed.merge_commit ?? '').slice(0, 8);
    // One landed, with its short SHA; two took its turn.
    await untilCard(
      'one landed and two verifying',
      (t) => t.includes('Landed') && t.includes(`\`${sha}\``) && t.includes(`Verifying*\\n• \`${ids.two}\``),
    );
    expect(cardPosts()).toHaveLength(1);
    expect(api.to('/api/chat.update').filter((r) => inChannel(r, 'C_ALPHA')).length).toBeGreaterThanOrEqual(
      2,
    );
    // Landed is told in the convoy card's thread, not broadcast, never in the rig's channel.
    const landedLine = () => threadLines().find((l) => l.text.startsWith(`✓ ${ids.one} `));
    await waitFor(() => landedLine() !== undefined, 10_000);
    const line = landedLine();
    expect(line).toMatchObject({ channel: 'C_CONVOYS', thread_ts: convoyTs.ts });
    expect(line?.text).toContain(`landed on main at ${sha}`);
    expect(String(line?.reply_broadcast)).toBe('false');

    release('mr-two.txt');
    await untilCard('two failed', (t) => t.includes(`${ids.two}\` two`) && t.includes('needs-rework'));
    expect(buttons(`mq:${ids.two}`).map((b) => b.text.text)).toEqual(['Retry', 'Reject']);
    const failedLine = () => threadLines().find((l) => l.text.startsWith(`✗ ${ids.two} `));
    await waitFor(() => failedLine() !== undefined, 10_000);
    expect(failedLine()).toMatchObject({ channel: 'C_CONVOYS', thread_ts: convoyTs.ts });
    expect(failedLine()?.text).toMatch(/sent back for rework: gate/);
    expect(cardPosts()).toHaveLength(1);
    expect(cardPosts().every((r) => (r.body as { thread_ts?: string }).thread_ts === undefined)).toBe(true);
  }, 90_000);

  it('runs each button as the clicking person: refused without the permission, stale clicks change nothing', async () => {
    const rework = await mr(ids.two);
    const retry = button(`mq:${ids.two}`, 'Retry');
    expect(retry.value).toBe(`mr:${ids.two}:${rework.version}:retry`);
    expect(await click('U_VIEW', retry)).toMatch(/may not run gt mq retry: it needs mq:write/);
    expect(await click('U_VIEW', button(`mq:${ids.two}`, 'Reject'))).toMatch(/needs mq:write/);

    // Someone holds it from the command line: the card offers every decision, at the new version.
    await town.json('gt', ['mq', 'hold', ids.two]);
    const held = await mr(ids.two);
    await untilCard('two held', (t) => t.includes(`mr:${ids.two}:${held.version}:land-anyway`));
    expect(buttons(`mq:${ids.two}`).map((b) => [b.text.text, b.confirm !== undefined])).toEqual([
      ['Retry', false],
      ['Send back for rework', true],
      ['Reject', true],
      ['Land anyway', true],
    ]);
    expect(await click('U_MERGE', retry)).toMatch(new RegExp(`${ids.two} changed meanwhile: now held`));
    const landAnyway = button(`mq:${ids.two}`, 'Land anyway');
    expect(await click('U_MERGE', landAnyway)).toMatch(/may not run gt mq land-anyway: it needs mq:override/);
    expect(await mr(ids.two)).toMatchObject({ status: 'held', version: held.version });

    const sendBack = button(`mq:${ids.two}`, 'Send back for rework');
    await click('U_MERGE', sendBack, false);
    await waitFor(async () => (await mr(ids.two)).status === 'needs-rework', 10_000);
    expect((await mr(ids.two)).reason).toMatch(/^sent back for rework by slack:U_MERGE: /);
    // The second click of the same button: the MR moved on, nothing happens twice.
    expect(await click('U_MERGE', sendBack)).toMatch(/changed meanwhile: now needs-rework/);
    expect((await mr(ids.two)).version).toBe(held.version + 1);

    const audit = await town.json<Array<{ actor: string; verb: string; outcome: string }>>('gt', [
      'audit',
      '--limit',
      '50',
    ]);
    expect(
      audit.filter((a) => a.actor.startsWith('slack:')).map((a) => [a.actor, a.verb, a.outcome]),
    ).toEqual([
      ['slack:U_MERGE', 'gt mq rework', 'refused'],
      ['slack:U_MERGE', 'gt mq rework', 'ok'],
      ['slack:U_MERGE', 'gt mq land-anyway', 'refused'],
      ['slack:U_MERGE', 'gt mq retry', 'refused'],
      ['slack:U_VIEW', 'gt mq reject', 'refused'],
      ['slack:U_VIEW', 'gt mq retry', 'refused'],
    ]);
  }, 60_000);

  it('freezes and thaws from the card, for whom the policy lets', async () => {
    await untilCard('a Freeze button', (t) => t.includes('rig:alpha:freeze'));
    const freeze = button('mq:rig:alpha', 'Freeze');
    expect(await click('U_MERGE', freeze)).toMatch(/may not run gt mq freeze: it needs mq:freeze/);
    await click('U_BOSS', freeze, false);
    await waitFor(async () => (await town.run('gt', ['mq', 'list', 'alpha'])).stdout.startsWith('⏸'), 10_000);
    expect((await town.run('gt', ['mq', 'list', 'alpha'])).stdout).toMatch(
      /^⏸ alpha frozen by slack:U_BOSS \S+: frozen from chat$/m,
    );
    await untilCard('frozen', (t) => t.includes('Frozen') && t.includes('rig:alpha:thaw'));
    expect(await click('U_BOSS', freeze)).toMatch(/already frozen by slack:U_BOSS/); // a stale Freeze
    await click('U_BOSS', button('mq:rig:alpha', 'Thaw'), false);
    await untilCard('thawed', (t) => !t.includes('Frozen') && t.includes('rig:alpha:freeze'));
    expect((await town.run('gt', ['mq', 'list', 'alpha'])).stdout).not.toContain('⏸');
  }, 60_000);
});
