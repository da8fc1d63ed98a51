import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackEnv, writePolicy } from '../support/chat-setup.ts';
import { rawSlackTokens } from '../support/inert-check.ts';
import { MQ_POLECAT } from '../support/mq-polecat.ts';
import { type Recorded, RecordingServer } from '../support/recording-server.ts';
import { SlackClient } from '../support/slack-client.ts';
import type { Blocks, Button } from './mq-cards-setup.ts';
import { gitRepo, RunnerProcess, waitFor } from './runner-process.ts';
import { Town } from './town.ts';

const SECRET = 'slack-signing-secret-for-plan-cards';
const GOAL = 'add *search* to the docs <!channel> @everyone';
const REVISION = 'also document the search box';

type Bead = { id: string; status: string; assignee: string | null; close_reason: string };
type View = {
  state: string;
  round: number;
  convoy: { id: string; status: string; version: number } | null;
  waves: Array<{ wave: number; beads: Array<{ id: string; title: string }> }>;
};
type Modal = { callback_id: string; private_metadata: string; blocks: Array<{ block_id?: string }> };

/**
 * A scripted Mayor, as a real one works: the real `bd`/`gt` on its PATH, its identity and prompt
 * from the runner. A first round makes two beads in rig web (the second needs the first) and
 * stages them; a revision round reads its mail (kept in `<out>/inbox.json` for the test), adds a
 * third bead to the same convoy and re-stages it.
 */
const mayorScript = (out: string) => `set -u
echo "round $GT_BEAD as $GT_AGENT" >> '${out}/seen.log'
if grep -q 'This is a revision' "$GT_PROMPT_FILE"; then
  gt mail inbox --json > '${out}/inbox.json' || exit 1
  convoy=$(grep -o 'gt convoy stage [a-z0-9.-]*' "$GT_PROMPT_FILE" | head -1 | cut -d' ' -f4)
  c=$(bd create "docs-search" --rig web) || exit 1
  gt convoy add "$convoy" "$c" >/dev/null || exit 1
  gt convoy stage "$convoy" >/dev/null || exit 1
  gt done >/dev/null || exit 1
  exit 0
fi
a=$(bd create "build-search" --rig web) || exit 1
b=$(bd create "need-build-search" --rig web) || exit 1
bd dep add "$b" "$a" >/dev/null || exit 1
gt convoy stage "$a" "$b" >/dev/null || exit 1
gt done >/dev/null || exit 1
`;

/**
 * The plan card on Slack through the real surfaces: `/gt plan` from a signed slash command, a
 * scripted Mayor run by the service, the card posted and edited on a recording Web API, and the
 * card's buttons and Revise dialog sent back as signed `block_actions` and `view_submission`
 * payloads, each run as the clicking person. Launching dispatches wave 1 to real polecats.
 */
describe('the plan card on Slack', () => {
  const town = new Town();
  const api = new RecordingServer();
  const out = mkdtempSync(join(tmpdir(), 'gt-plan-card-'));
  let runner: RunnerProcess;
  let slack: SlackClient;
  let n = 0;

  beforeAll(async () => {
    writeFileSync(join(out, 'mayor.sh'), mayorScript(out), { mode: 0o700 });
    writeFileSync(join(out, 'polecat.sh'), MQ_POLECAT, { mode: 0o700 });
    await api.start();
    await town.up(['--http-port', '0'], {
      ...slackEnv(api, SECRET),
      GT_MQ_POLL_S: '1',
      GT_POLICY_FILE: writePolicy(town, {
        roles: {
          viewer: { permissions: ['read'], rigs: ['web'] },
          lead: { permissions: ['read', 'convoy:create', 'convoy:launch'], rigs: ['web'] },
        },
        slack: { users: { U_VIEW: ['viewer'], U_LEAD: ['lead'] } },
        routing: { escalations: [], convoys: { slack: 'C_CONVOYS' } },
      }),
    });
    slack = new SlackClient(town.runtime().http_url, SECRET);
    const repo = gitRepo();
    await town.json('gt', [
      'rig',
      'add',
      'web',
      '--prefix',
      'web',
      '--repo',
      repo,
      '--command',
      join(out, 'polecat.sh'),
    ]);
    await town.json('gt', ['rig', 'set', 'web', '--gate', 'test -d .']);
    await town.json('gt', [
      'mayor',
      'config',
      '--command',
      `bash ${join(out, 'mayor.sh')}`,
      '--timeout',
      '60',
    ]);
    runner = await RunnerProcess.start(town, 'web');
  }, 90_000);
  afterAll(async () => {
    await runner?.stop();
    await town.destroy();
    await api.stop();
    rmSync(out, { recursive: true, force: true });
  });

  const show = (id: string) => town.json<View>('gt', ['plan', 'show', id]);
  const bead = async (id: string) => (await town.json<Bead[]>('bd', ['show', id]))[0] as Bead;
  /** A field of a recorded request's body, as text. */
  const field = (r: Recorded | undefined, key: string) =>
    String((r?.body as Record<string, unknown> | undefined)?.[key]);
  const blocks = (r: Recorded | undefined) => ((r?.body as { blocks?: Blocks })?.blocks ?? []) as Blocks;
  const text = (r: Recorded | undefined) => JSON.stringify(blocks(r));
  const isCard = (plan: string) => (r: Recorded) =>
    /^\/api\/chat\.(postMessage|update)$/.test(r.path) && text(r).includes(`*Plan* \`${plan}\``);
  const posts = (plan: string) => api.to('/api/chat.postMessage').filter(isCard(plan));
  /** The plan's card as last sent (posted or edited). */
  const card = (plan: string) => api.requests.filter(isCard(plan)).at(-1);
  const untilCard = (plan: string, what: string, check: (t: string) => boolean) =>
    waitFor(
      () => check(text(card(plan))),
      45_000,
      () => `the plan card never showed ${what}: ${text(card(plan))}\n${town.serviceOutput.slice(-2000)}`,
    );
  const button = (plan: string, label: string): Button => {
    const row = blocks(card(plan)).find((b) => b.block_id === `plan:${plan}`);
    const b = ((row?.elements ?? []) as Button[]).find((x) => x.text.text === label);
    if (!b) throw new Error(`no ${label} on the card: ${text(card(plan))}`);
    return b;
  };

  /** `/gt <text>` as `user`; the plan's id from the answer. */
  async function ask(user: string, words: string): Promise<string> {
    const path = `/cmd/${++n}`;
    expect((await slack.post(SlackClient.command('gt', words, user, `${api.url}${path}`))).status).toBe(200);
    const answer = field((await api.waitFor(path))[0], 'text');
    const plan = /^([a-z0-9-]+): the Mayor will plan this/.exec(answer)?.[1];
    if (!plan) throw new Error(`no plan in the answer: ${answer}`);
    return plan;
  }

  /** Clicks a card button as `user`; the ephemeral answer (undefined when none is awaited). */
  async function click(user: string, b: Button, answered = true): Promise<string | undefined> {
    const path = `/click/${++n}`;
    const body = SlackClient.click(
      user,
      'C_CONVOYS',
      { action_id: b.action_id, value: b.value },
      `${api.url}${path}`,
    );
    expect((await slack.post(body)).status).toBe(200);
    if (!answered) return undefined;
    return field((await api.waitFor(path))[0], 'text');
  }

  /** Submits the Revise dialog the service opened, as `user`; the HTTP answer (errors, if any). */
  async function submit(user: string, modal: Modal, value: string): Promise<string> {
    const payload = {
      type: 'view_submission',
      team: { id: 'T1', domain: 'town' },
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: 'T1' },
      api_app_id: 'A1',
      token: 'legacy',
      trigger_id: `trigger-${++n}`,
      view: {
        id: `V${n}`,
        type: 'modal',
        callback_id: modal.callback_id,
        private_metadata: modal.private_metadata,
        state: { values: { revision: { text: { type: 'plain_text_input', value } } } },
      },
    };
    const res = await slack.post(SlackClient.payload(payload));
    expect(res.status).toBe(200);
    return res.text;
  }

  it('plans from /gt plan, revises from the dialog, refuses a stale launch and launches to polecats', async () => {
    const plan = await ask('U_LEAD', `plan "${GOAL}" --rig web`);
    await untilCard(plan, 'the staged plan', (t) => t.includes('"action_id":"plan.launch"'));
    const first = await show(plan);
    expect(first.state).toBe('ready');
    const convoy = first.convoy?.id as string;
    let t = text(card(plan));
    expect(t).toContain('asked by <@U_LEAD>');
    expect(t).toContain('add *search* to the docs &lt;!channel&gt; @everyone'); // the goal, in plain text
    expect(t).toContain('need-build-search');
    expect(t).toContain('2 beads in 2 waves · 1 dependency · web 2');
    expect(button(plan, 'Launch').value).toBe(`plan:${plan}:${convoy}:${first.convoy?.version}:launch`);
    expect(button(plan, 'Discard').confirm).toBeDefined();
    const ts = String((posts(plan)[0]?.answer as { ts?: string } | undefined)?.ts);
    const oldLaunch = button(plan, 'Launch');

    // Someone who may only read is refused, and nothing changes.
    expect(await click('U_VIEW', oldLaunch)).toMatch(/may not run gt plan launch: it needs convoy:launch/);

    // Revise…: the dialog opens on the click's trigger; an empty text is refused in the dialog.
    await click('U_LEAD', button(plan, 'Revise…'), false);
    const [opened] = await api.waitFor('/api/views.open');
    const view = JSON.parse(field(opened, 'view')) as Modal;
    expect(view.callback_id).toBe('plan.revise');
    expect(JSON.parse(await submit('U_LEAD', view, '   '))).toMatchObject({
      response_action: 'errors',
      errors: { revision: expect.stringMatching(/say what the Mayor should change/) },
    });
    expect((await show(plan)).round).toBe(1);
    expect(await submit('U_LEAD', view, REVISION)).toBe('');
    await untilCard(
      plan,
      'the revised plan',
      (x) => x.includes('docs-search') && x.includes('"action_id":"plan.launch"'),
    );
    const second = await show(plan);
    expect(second).toMatchObject({ state: 'ready', round: 2, convoy: { id: convoy } });
    expect(second.convoy?.version).not.toBe(first.convoy?.version);
    // The Mayor read the revision as mail from the person who wrote it.
    const inbox = readFileSync(join(out, 'inbox.json'), 'utf8');
    expect(inbox).toContain(REVISION);
    expect(inbox).toContain('"from": "human:slack-U_LEAD"');
    const told = await api.waitFor('/api/chat.postEphemeral');
    expect(field(told[0], 'text')).toMatch(/the Mayor has your revision/);
    // Edited in place: one post, every later version of the card an update of the same message.
    expect(posts(plan)).toHaveLength(1);
    expect(card(plan)?.path).toBe('/api/chat.update');
    expect(field(card(plan), 'ts')).toBe(ts);
    t = text(card(plan));
    expect(t).toContain('3 beads in 2 waves');

    // The old button is stale: refused, said so, and the card drawn again from the ledger.
    const updates = api.to('/api/chat.update').filter(isCard(plan)).length;
    expect(await click('U_LEAD', oldLaunch)).toMatch(/the plan changed since you saw it/);
    await waitFor(() => api.to('/api/chat.update').filter(isCard(plan)).length > updates, 10_000);
    expect(button(plan, 'Launch').value).toBe(`plan:${plan}:${convoy}:${second.convoy?.version}:launch`);
    expect((await bead(convoy)).status).toBe('staged_ready');

    // Launch at the version shown: wave 1 goes to polecats, the card says who launched it.
    await click('U_LEAD', button(plan, 'Launch'), false);
    await untilCard(plan, 'launched', (x) => x.includes(`Launched by slack:U_LEAD as convoy ${convoy}`));
    expect(text(card(plan))).not.toContain('"actions"');
    expect((await bead(convoy)).status).not.toMatch(/^staged/);
    // Wave 1 went to polecats, whose work landed (a polecat script commits and runs gt done).
    const wave1 = second.waves[0]?.beads ?? [];
    expect(wave1.map((b) => b.title).sort()).toEqual(['build-search', 'docs-search']);
    for (const b of wave1) {
      await waitFor(
        async () => (await bead(b.id)).status === 'closed',
        60_000,
        () => runner.output.slice(-2000),
      );
      expect((await bead(b.id)).close_reason).toMatch(/^Merged in web-mr-/);
    }
    expect(posts(plan)).toHaveLength(1);
    expect(rawSlackTokens(api.requests.filter(isCard(plan)))).toEqual([]);

    const audit = await town.json<Array<{ actor: string; verb: string; outcome: string }>>('gt', [
      'audit',
      '--limit',
      '100',
    ]);
    expect(
      audit
        .filter((a) => a.actor.startsWith('slack:') && a.verb.startsWith('gt plan'))
        .map((a) => [a.actor, a.verb, a.outcome]),
    ).toEqual([
      ['slack:U_LEAD', 'gt plan launch', 'ok'],
      ['slack:U_LEAD', 'gt plan launch', 'refused'],
      ['slack:U_LEAD', 'gt plan revise', 'ok'],
      ['slack:U_VIEW', 'gt plan launch', 'refused'],
      ['slack:U_LEAD', 'gt plan', 'ok'],
    ]);
  }, 180_000);

  it('discards from the card: the convoy and its beads close with the reason, the card says so', async () => {
    const plan = await ask('U_LEAD', 'plan tidy the footer --rig web');
    await untilCard(plan, 'the staged plan', (t) => t.includes('"action_id":"plan.discard"'));
    const v = await show(plan);
    // Slack asks first (the button's confirm dialog); the click that reaches us is confirmed.
    await click('U_LEAD', button(plan, 'Discard'), false);
    await untilCard(plan, 'discarded', (t) => t.includes('Discarded by slack:U_LEAD: from chat'));
    expect(text(card(plan))).not.toContain('"actions"');
    for (const id of [v.convoy?.id as string, ...v.waves.flatMap((w) => w.beads.map((b) => b.id))])
      expect(await bead(id)).toMatchObject({
        status: 'closed',
        close_reason: expect.stringMatching(/Discarded by slack:U_LEAD: from chat/),
      });
    expect((await show(plan)).state).toBe('discarded');
    expect(posts(plan)).toHaveLength(1);
  }, 90_000);
});
