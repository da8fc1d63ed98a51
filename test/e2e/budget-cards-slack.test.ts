import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackEnv, writePolicy } from '../support/chat-setup.ts';
import { withFakeAgents } from '../support/fake-agents/index.ts';
import { type Recorded, RecordingServer } from '../support/recording-server.ts';
import { SlackClient } from '../support/slack-client.ts';
import type { Blocks, Button } from './mq-cards-setup.ts';
import { slackButtonClick } from './mq-cards-setup.ts';
import { gitRepo, RunnerProcess, waitFor } from './runner-process.ts';
import { Town } from './town.ts';

const SECRET = 'slack-signing-secret-for-budget-cards';

type Bead = {
  id: string;
  status: string;
  assignee: string | null;
  labels: string[];
  close_reason: string;
  closed_at: string | null;
};
type Audit = {
  at: string;
  actor: string;
  verb: string;
  outcome: string;
  message?: string;
  args: Record<string, unknown>;
};

/**
 * Issue 18's budget acceptance, end to end: a convoy with a $1 budget on a rig of one polecat
 * whose agent is the fake Claude Code spending $0.30 a bead, run by a real rig runner. The runner
 * reports each bead's spend as it streams; the fourth bead takes the convoy past its budget, so
 * the fifth is not dispatched, a warning and a used-up line land in the convoy's thread and a
 * budget card (Extend by $1.00, Stop) is posted on a recording Slack Web API. Signed clicks
 * extend it (dispatch resumes at once) and, used up again, stop it (closed with a reason); a
 * click without budget:extend, a double click and clicks on an out-of-date card change nothing.
 *
 * The fake waits, after its output, until its spend is booked before it runs `gt done` — as a
 * real agent whose last report came before its bead closed — so spend arrives bead by bead.
 */
describe('a convoy budget on Slack, with real runners and fake agents', () => {
  const town = new Town();
  const api = new RecordingServer();
  const repo = gitRepo();
  let runner: RunnerProcess | null = null;
  let slack: SlackClient;
  let n = 0;

  beforeAll(async () => {
    await api.start();
    await town.up(['--http-port', '0'], {
      ...slackEnv(api, SECRET),
      GT_POLICY_FILE: writePolicy(town, {
        roles: {
          viewer: { permissions: ['read'], rigs: ['cash'] },
          spender: { permissions: ['read', 'budget:extend'], rigs: ['cash'] },
        },
        slack: { users: { U_VIEW: ['viewer'], U_BUDGET: ['spender'] } },
        routing: { convoys: { slack: 'C_CONVOYS' } },
      }),
    });
    slack = new SlackClient(town.runtime().http_url, SECRET);
    const env = {
      FAKE_SCENARIO: 'usage',
      FAKE_COST_USD: '0.30',
      FAKE_ECHO_ARGS: '1',
      FAKE_THEN:
        'for i in $(seq 300); do gt costs --bead "$GT_BEAD" --json | grep -Eq \'"total_usd": ?0\\.3\' && break; sleep 0.1; done; gt done',
    };
    await town.json('gt', [
      ...['rig', 'add', 'cash', '--prefix', 'ca', '--repo', repo, '--merge', 'local'],
      ...['--runtime', 'claude', '--max-polecats', '1'],
      ...Object.keys(env).flatMap((name) => ['--env', name]),
    ]);
    runner = await RunnerProcess.start(town, 'cash', [], { ...env, PATH: withFakeAgents() });
  }, 60_000);
  afterAll(async () => {
    await runner?.stop();
    await town.destroy();
    await api.stop();
    rmSync(repo, { recursive: true, force: true });
  });

  const show = async (ids: string[]) => town.json<Bead[]>('bd', ['show', ...ids]);
  const convoyOf = async (id: string) => (await show([id]))[0] as Bead;
  const audit = () => town.json<Audit[]>('gt', ['audit', '--limit', '500']);
  const inChannel = (r: Recorded) => (r.body as { channel?: string }).channel === 'C_CONVOYS';
  const isBudgetCard = (r: Recorded) => JSON.stringify(r.body).includes('*Budget* · convoy');
  const cardPosts = () => api.to('/api/chat.postMessage').filter((r) => inChannel(r) && isBudgetCard(r));
  /** The card posted as `ts`, as last sent (posted or edited). */
  const card = (ts: string) =>
    api.requests
      .filter((r) => {
        const b = r.body as { ts?: string };
        if (r.path === '/api/chat.update') return b.ts === ts && isBudgetCard(r);
        return r.path === '/api/chat.postMessage' && inChannel(r) && isBudgetCard(r) && posted(r) === ts;
      })
      .at(-1);
  /** The `ts` the recording server answered a post with (its n-th post). */
  const posted = (r: Recorded) => String((r.answer as { ts?: string } | undefined)?.ts ?? '');
  const blocks = (r: Recorded | undefined) => ((r?.body as { blocks?: Blocks })?.blocks ?? []) as Blocks;
  const text = (r: Recorded | undefined) => JSON.stringify(blocks(r));
  const threadLines = () =>
    api
      .to('/api/chat.postMessage')
      .filter((r) => inChannel(r) && (r.body as { thread_ts?: string }).thread_ts)
      .map((r) => String((r.body as { text?: string }).text))
      .filter((t) => t.includes('Budget'));
  const button = (r: Recorded | undefined, label: RegExp) => {
    const actions = blocks(r).find((b) => b.type === 'actions');
    const b = ((actions?.elements ?? []) as Button[]).find((x) => label.test(x.text.text));
    if (!b) throw new Error(`no ${label} on the card: ${text(r)}`);
    return b;
  };
  const untilCard = (ts: () => string, what: string, check: (t: string) => boolean) =>
    waitFor(
      () => check(text(card(ts()))),
      30_000,
      () => `the budget card never showed ${what}: ${text(card(ts()))}\n${town.serviceOutput.slice(-2000)}`,
    );

  /** Clicks a card button as `user`; returns the ephemeral answer (or undefined when none is expected). */
  async function click(
    user: string,
    convoy: string,
    b: { action_id: string; value: string },
    answered = true,
  ) {
    const path = `/click/${++n}`;
    const payload = slackButtonClick(user, b, `budget:${convoy}`, `${api.url}${path}`, n);
    expect((await slack.post(SlackClient.payload(payload))).status).toBe(200);
    if (!answered) return undefined;
    return String(((await api.waitFor(path))[0]?.body as { text?: string } | undefined)?.text);
  }

  /** Waits until a dispatch was refused for the budget at or after `since` (the feeder tried, and stopped). */
  const untilRefused = (since: string) =>
    waitFor(
      async () =>
        (await audit()).some(
          (a) =>
            a.verb === 'gt sling' &&
            a.outcome === 'refused' &&
            /not dispatched/.test(a.message ?? '') &&
            a.at >= since,
        ),
      60_000,
      () => runner?.output.slice(-3000) ?? '',
    );
  /** Waits until `count` of `ids` are closed; returns when the last of them closed. */
  const untilClosed = async (ids: string[], count: number) => {
    await waitFor(
      async () => (await show(ids)).filter((b) => b.status === 'closed').length >= count,
      90_000,
      () => runner?.output.slice(-3000) ?? '',
    );
    const closed = (await show(ids)).filter((b) => b.status === 'closed');
    expect(closed).toHaveLength(count);
    return closed
      .map((b) => b.closed_at as string)
      .sort()
      .at(-1) as string;
  };

  it('stops dispatching after the 4th bead, posts the card; Extend resumes it, Stop closes it', async () => {
    const ids: string[] = [];
    for (let i = 1; i <= 8; i++)
      ids.push((await town.json<Bead>('bd', ['create', `spend ${i}`, '--rig', 'cash'])).id);
    const staged = await town.json<{ convoy_id: string; budget_usd: number }>('gt', [
      ...['convoy', 'stage', ...ids, '--budget', '1', '--title', 'Spend <!channel> @here'],
    ]);
    expect(staged.budget_usd).toBe(1);
    const convoy = staged.convoy_id;
    await town.json('gt', ['convoy', 'launch', convoy, '--force']); // capacity: 8 beads, 1 polecat

    // $0.30 × 4 = $1.20 ≥ $1.00: the fourth bead's close frees the slot, the fifth is refused.
    await untilRefused(await untilClosed(ids, 4));
    let beads = await show(ids);
    const done = beads.filter((b) => b.status === 'closed');
    expect(done).toHaveLength(4);
    for (const b of beads.filter((x) => x.status !== 'closed'))
      expect(b).toMatchObject({ status: 'open', assignee: null });
    expect(await town.json('gt', ['costs', '--convoy', convoy])).toMatchObject({ total_usd: 1.2 });
    expect((await convoyOf(convoy)).labels).toContain('budget:exhausted');
    // Each run was capped at what was left when it started: $1, $0.70, $0.40, $0.10.
    const logs = join(town.home, 'logs', 'cash');
    const caps = done.map((b) => {
      const log = readdirSync(logs).find((f) => f.endsWith(`-${b.id}.log`)) as string;
      return /--max-budget-usd (\S+)/.exec(readFileSync(join(logs, log), 'utf8'))?.[1];
    });
    expect(caps.sort()).toEqual(['0.1', '0.4', '0.7', '1']);

    await waitFor(
      () => cardPosts().length === 1,
      30_000,
      () => town.serviceOutput.slice(-2000),
    );
    const first = posted(cardPosts()[0] as Recorded);
    await untilCard(
      () => first,
      'Extend',
      (t) => t.includes('Extend by $1.00'),
    );
    expect(text(card(first))).toContain('spent $1.20 of $1.00');
    expect(text(card(first))).toContain('Spend &lt;!channel&gt; @here'); // the title, inert
    expect(text(card(first))).not.toContain('<!channel>');
    await waitFor(
      () => threadLines().length === 2,
      30_000,
      () => JSON.stringify(threadLines()),
    );
    expect(threadLines()[0]).toMatch(/^⚠ Budget: convoy .* has spent 80 % of its \$1\.00 budget/);
    expect(threadLines()[1]).toMatch(/^⛔ Budget used up: convoy .* has spent its \$1\.00 budget/);

    // Without budget:extend: refused, nothing changes.
    const before = await convoyOf(convoy);
    expect(await click('U_VIEW', convoy, button(card(first), /^Extend/))).toMatch(
      /may not run gt convoy budget: it needs budget:extend/,
    );
    expect(await convoyOf(convoy)).toEqual(before);

    // Extend: the budget is $2.00 and the waiting beads go out at once.
    const extend = button(card(first), /^Extend/);
    await click('U_BUDGET', convoy, extend, false);
    await untilCard(
      () => first,
      'the extension',
      (t) => t.includes('Budget extended to $2.00') && !t.includes('"actions"'),
    );
    // The same button again (a double click, or another person's old card): refused, nothing changes.
    expect(await click('U_BUDGET', convoy, extend)).toMatch(/changed since version/);
    expect((await convoyOf(convoy)).labels.filter((l) => l.startsWith('budget:extended:'))).toEqual([
      'budget:extended:1.00',
    ]);

    // $0.30 × 7 = $2.10 ≥ $2.00: used up again after the 7th; the 8th is refused; a new card.
    await waitFor(
      () => cardPosts().length === 2,
      90_000,
      () => runner?.output.slice(-3000) ?? '',
    );
    const second = posted(cardPosts()[1] as Recorded);
    await untilCard(
      () => second,
      'Extend',
      (t) => t.includes('spent $2.10 of $2.00'),
    );
    await untilRefused(await untilClosed(ids, 7));
    beads = await show(ids);
    expect(beads.filter((b) => b.status === 'closed')).toHaveLength(7);
    // The first card stays extended (no buttons): the new budget has a card of its own.
    expect(text(card(first))).toContain('Budget extended to $2.00');
    expect(text(card(first))).not.toContain('"actions"');
    await waitFor(
      () => threadLines().length === 4,
      30_000,
      () => JSON.stringify(threadLines()),
    );

    // Stop: closed with a reason; the old card's Extend and a second Stop change nothing.
    const stop = button(card(second), /^Stop$/);
    await click('U_BUDGET', convoy, stop, false);
    await waitFor(async () => (await convoyOf(convoy)).status === 'closed', 15_000);
    const stopped = await convoyOf(convoy);
    expect(stopped.close_reason).toBe('Stopped over budget by slack:U_BUDGET (spent $2.10 of $2.00)');
    await untilCard(
      () => second,
      'stopped',
      (t) => t.includes('Stopped') && !t.includes('"actions"'),
    );
    expect(await click('U_BUDGET', convoy, stop)).toMatch(/already closed/);
    expect(await click('U_BUDGET', convoy, extend)).toMatch(/is closed .* cannot be extended/);
    expect(await convoyOf(convoy)).toEqual(stopped);
    const last = (await show(ids)).filter((b) => b.status !== 'closed');
    expect(last).toEqual([expect.objectContaining({ status: 'open', assignee: null })]);

    expect(
      (await audit())
        .filter((a) => a.actor.startsWith('slack:'))
        .map((a) => [a.actor, a.outcome, a.args.extend ?? 'stop']),
    ).toEqual([
      ['slack:U_BUDGET', 'refused', '1.00'],
      ['slack:U_BUDGET', 'refused', 'stop'],
      ['slack:U_BUDGET', 'ok', 'stop'],
      ['slack:U_BUDGET', 'refused', '1.00'],
      ['slack:U_BUDGET', 'ok', '1.00'],
      ['slack:U_VIEW', 'refused', '1.00'],
    ]);
  }, 240_000);
});
