import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackEnv, writePolicy } from '../support/chat-setup.ts';
import { type Recorded, RecordingServer } from '../support/recording-server.ts';
import { SlackClient } from '../support/slack-client.ts';
import type { Blocks, Button } from './mq-cards-setup.ts';
import { slackButtonClick } from './mq-cards-setup.ts';
import { gitRepo, waitFor } from './runner-process.ts';
import { Town } from './town.ts';

const SECRET = 'slack-signing-secret-for-gate-cards';

type Bead = { id: string; status: string; close_reason: string; is_blocked: boolean; version: number };
type Run = { steps: Record<string, string>; convoy_id: string; status: string };

/**
 * A formula's human gate on Slack through the real surfaces: `gt formula run --launch` cooks it,
 * the step it reviews is closed, its card (with Approve) is posted to the rig's channel on a
 * recording Web API; clicks come back as signed `block_actions` payloads and run `gt gate approve`
 * as the clicking person. The gate holds its dependent until a person allowed to approve it does.
 */
describe('the human gate card on Slack', () => {
  const town = new Town();
  const api = new RecordingServer();
  let repo = '';
  let slack: SlackClient;
  let n = 0;

  beforeAll(async () => {
    await api.start();
    await town.up(['--http-port', '0'], {
      ...slackEnv(api, SECRET),
      GT_POLICY_FILE: writePolicy(town, {
        roles: {
          viewer: { permissions: ['read'], rigs: ['alpha'] },
          approver: { permissions: ['read', 'gate:approve'], rigs: ['alpha'] },
        },
        slack: { users: { U_VIEW: ['viewer'], U_GATE: ['approver'] } },
        routing: {
          escalations: [{ rigs: ['alpha'], channel: { slack: 'C_ALPHA' } }],
          convoys: { slack: 'C_CONVOYS' },
        },
      }),
    });
    slack = new SlackClient(town.runtime().http_url, SECRET);
    repo = gitRepo();
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al', '--repo', repo]);
    mkdirSync(join(town.home, 'formulas'), { recursive: true });
    writeFileSync(
      join(town.home, 'formulas', 'reviewed.formula.toml'),
      [
        'formula = "reviewed"',
        'description = "Ship it"',
        '[[steps]]',
        'id = "build"',
        'title = "build <!channel> it"',
        '[steps.gate]',
        'type = "human"',
        '[[steps]]',
        'id = "ship"',
        'title = "ship it"',
        'needs = ["build"]',
      ].join('\n'),
    );
  }, 60_000);
  afterAll(async () => {
    await town.destroy();
    await api.stop();
    rmSync(repo, { recursive: true, force: true });
  });

  const show = async (id: string) => (await town.json<Bead[]>('bd', ['show', id]))[0] as Bead;
  const inChannel = (r: Recorded, channel: string) => (r.body as { channel?: string }).channel === channel;
  const gateCard = (r: Recorded) => JSON.stringify(r.body).includes('Human gate');
  const cardPosts = () =>
    api.to('/api/chat.postMessage').filter((r) => inChannel(r, 'C_ALPHA') && gateCard(r));
  /** The gate card as last sent (posted or edited). */
  const card = () =>
    api.requests
      .filter(
        (r) => /^\/api\/chat\.(postMessage|update)$/.test(r.path) && inChannel(r, 'C_ALPHA') && gateCard(r),
      )
      .at(-1);
  const blocks = (r: Recorded | undefined) => ((r?.body as { blocks?: Blocks })?.blocks ?? []) as Blocks;
  const text = (r: Recorded | undefined) => JSON.stringify(blocks(r));
  const untilCard = (what: string, check: (text: string) => boolean) =>
    waitFor(
      () => check(text(card())),
      30_000,
      () => `the gate card never showed ${what}: ${text(card())}\n${town.serviceOutput.slice(-2000)}`,
    );
  const approve = (gate: string) => {
    const b = (blocks(card()).find((x) => x.block_id === `gate:${gate}`)?.elements ?? []) as Button[];
    const button = b.find((x) => x.text.text === 'Approve');
    if (!button) throw new Error(`no Approve on the card: ${text(card())}`);
    return button;
  };

  /** Clicks a card button as `user`; returns the ephemeral answer (or undefined when none came). */
  async function click(user: string, b: { action_id: string; value: string }, answered = true) {
    const path = `/click/${++n}`;
    const payload = slackButtonClick(user, b, 'gate', `${api.url}${path}`, n);
    expect((await slack.post(SlackClient.payload(payload))).status).toBe(200);
    if (!answered) return undefined;
    return String(((await api.waitFor(path))[0]?.body as { text?: string } | undefined)?.text);
  }

  it('blocks its dependent until approved from a signed Slack click by someone allowed to', async () => {
    const run = await town.json<Run>('gt', ['formula', 'run', 'reviewed', '--rig', 'alpha', '--launch']);
    expect(run.status).toBe('open');
    const gate = run.steps['build.approval'] as string;
    const build = run.steps.build as string;
    const ship = run.steps.ship as string;
    // The gate still waits on its work: no card yet (the convoy's card is there: events were seen).
    await waitFor(() => api.to('/api/chat.postMessage').some((r) => inChannel(r, 'C_CONVOYS')), 10_000);
    expect(cardPosts()).toHaveLength(0);
    expect((await show(ship)).is_blocked).toBe(true);

    await town.json('bd', ['close', build, '--reason', 'built']);
    await untilCard('the ready gate', (t) => t.includes(gate) && t.includes('Approve'));
    const t = text(card());
    expect(t).toContain('step build');
    expect(t).toContain('formula reviewed');
    expect(t).toContain(ship); // what waits on it
    expect(t).toContain('&lt;!channel&gt;'); // titles inert
    expect(t).not.toContain('<!channel>');
    const first = await show(gate);
    expect(approve(gate).value).toBe(`gate:${gate}:${first.version}:approve`);

    // Without gate:approve: refused, the gate still open, the dependent still blocked.
    expect(await click('U_VIEW', approve(gate))).toMatch(
      /may not run gt gate approve: it needs gate:approve/,
    );
    expect(await show(gate)).toMatchObject({ status: 'open', version: first.version });

    // The gate moves meanwhile: the card follows; the old button is stale and refused.
    const stale = approve(gate);
    await town.json('bd', ['update', gate, '--priority', '1']);
    const moved = await show(gate);
    await untilCard('the new version', (x) => x.includes(`gate:${gate}:${moved.version}:approve`));
    expect(await click('U_GATE', stale)).toMatch(/changed since version/);
    expect((await show(gate)).status).toBe('open');
    expect((await show(ship)).is_blocked).toBe(true);

    await click('U_GATE', approve(gate), false);
    await waitFor(async () => (await show(gate)).status === 'closed', 10_000);
    expect((await show(gate)).close_reason).toBe('Approved by slack:U_GATE: from chat');
    await untilCard('approved', (x) => x.includes('Approved by slack:U_GATE') && !x.includes('"actions"'));
    expect((await show(ship)).is_blocked).toBe(false);
    expect(cardPosts()).toHaveLength(1);

    const audit = await town.json<Array<{ actor: string; verb: string; outcome: string }>>('gt', [
      'audit',
      '--limit',
      '50',
    ]);
    expect(
      audit.filter((a) => a.actor.startsWith('slack:')).map((a) => [a.actor, a.verb, a.outcome]),
    ).toEqual([
      ['slack:U_GATE', 'gt gate approve', 'ok'],
      ['slack:U_GATE', 'gt gate approve', 'refused'],
      ['slack:U_VIEW', 'gt gate approve', 'refused'],
    ]);
  }, 90_000);
});
