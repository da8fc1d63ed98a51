import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permissionFlags } from '../../src/agent/permission-server/flags.ts';
import { slackEnv, writePolicy } from '../support/chat-setup.ts';
import { type Recorded, RecordingServer } from '../support/recording-server.ts';
import { SlackClient } from '../support/slack-client.ts';
import type { Blocks, Button } from './mq-cards-setup.ts';
import { slackButtonClick } from './mq-cards-setup.ts';
import { gitRepo, RunnerProcess, waitFor } from './runner-process.ts';
import { Town } from './town.ts';

const SECRET = 'slack-signing-secret-for-approval-cards';
const FAKE_CLAUDE = resolve(import.meta.dirname, '../support/approval-fake-claude.mjs');
/** Long enough for a click, short enough to wait out once. */
const TIMEOUT_S = 20;

type Decision = { behavior: 'allow'; updatedInput: object } | { behavior: 'deny'; message: string };
type Line = { tool_use_id: string; reply: Decision };

/** What the fake agent asks, in order (a Claude Code tool use needing permission each). */
const CALLS = [
  {
    tool_name: 'Bash',
    input: { command: 'npm run deploy', description: 'Deploy it' },
    tool_use_id: 'toolu_1',
  },
  { tool_name: 'Bash', input: { command: 'npm run deploy' }, tool_use_id: 'toolu_2' },
  { tool_name: 'Bash', input: { command: 'npm run deploy' }, tool_use_id: 'toolu_3' },
  { tool_name: 'Bash', input: { command: 'git push --force <!channel>' }, tool_use_id: 'toolu_4' },
  { tool_name: 'Bash', input: { command: 'rm -rf build' }, tool_use_id: 'toolu_5' },
];

/**
 * Permission prompts relayed to people, end to end with real processes: a town (`gt up`) with
 * Slack on a recording Web API, a real `gt rig run` whose polecat is a fake Claude Code started
 * with the flags a Claude preset adds (permissionFlags), which starts our MCP server (bin/
 * gt-approve.mjs) with the polecat's own environment — its slot's NATS login — and calls the
 * permission tool exactly as Claude Code does. Cards come to the rig's channel; signed clicks
 * answer them; the agent's calls return what the people decided.
 */
describe('permission prompts on Slack', () => {
  const town = new Town();
  const api = new RecordingServer();
  const scratch = mkdtempSync(join(tmpdir(), 'gt-approvals-'));
  const out = join(scratch, 'replies.jsonl');
  let repo = '';
  let runner: RunnerProcess | undefined;
  let slack: SlackClient;
  let n = 0;

  beforeAll(async () => {
    await api.start();
    await town.up(['--http-port', '0'], {
      ...slackEnv(api, SECRET),
      GT_POLICY_FILE: writePolicy(town, {
        roles: {
          viewer: { permissions: ['read'], rigs: ['alpha'] },
          approver: { permissions: ['read', 'agent:approve'], rigs: ['alpha'] },
        },
        slack: { users: { U_VIEW: ['viewer'], U_OK: ['approver'] } },
        routing: {
          escalations: [{ rigs: ['alpha'], channel: { slack: 'C_ALPHA' } }],
          convoys: { slack: 'C_CONVOYS' },
        },
      }),
    });
    slack = new SlackClient(town.runtime().http_url, SECRET);
    repo = gitRepo();
  }, 60_000);
  afterAll(async () => {
    await runner?.stop();
    await town.destroy();
    await api.stop();
    rmSync(repo, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  const lines = (): Line[] =>
    existsSync(out)
      ? readFileSync(out, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Line)
      : [];
  const replyTo = async (toolUseId: string): Promise<Decision> => {
    await waitFor(
      () => lines().some((l) => l.tool_use_id === toolUseId),
      30_000,
      () => `no reply to ${toolUseId}: ${JSON.stringify(lines())}\n${runner?.output ?? ''}`,
    );
    return lines().find((l) => l.tool_use_id === toolUseId)?.reply as Decision;
  };
  const isApprovalCard = (r: Recorded) =>
    /^\/api\/chat\.(postMessage|update)$/.test(r.path) &&
    JSON.stringify(r.body).includes('Permission request');
  const posts = () => api.to('/api/chat.postMessage').filter(isApprovalCard);
  const blocks = (r: Recorded | undefined) => ((r?.body as { blocks?: Blocks })?.blocks ?? []) as Blocks;
  const text = (r: Recorded | undefined) => JSON.stringify(blocks(r));
  /** The id of the request whose card shows `command` (posted once). */
  const requestFor = async (command: string): Promise<string> => {
    await waitFor(
      () => posts().some((r) => text(r).includes(command)),
      30_000,
      () => `no card for ${command}: ${posts().map(text).join('\n')}\n${town.serviceOutput.slice(-2000)}`,
    );
    const card = posts().find((r) => text(r).includes(command));
    return /"approval:(hq-[a-z0-9]+)"/.exec(text(card))?.[1] as string;
  };
  /** A request's card as last sent (posted or edited). */
  const card = (id: string) => api.requests.filter((r) => isApprovalCard(r) && text(r).includes(id)).at(-1);
  const button = (id: string, label: string): Button => {
    const row = (blocks(card(id)).find((b) => b.block_id === `approval:${id}`)?.elements ?? []) as Button[];
    const b = row.find((x) => x.text.text === label);
    if (!b) throw new Error(`no ${label} on the card of ${id}: ${text(card(id))}`);
    return b;
  };
  const untilCard = (id: string, what: string, check: (t: string) => boolean) =>
    waitFor(
      () => check(text(card(id))),
      30_000,
      () => `the card of ${id} never showed ${what}: ${text(card(id))}`,
    );
  /** Clicks a card button as `user`; returns the ephemeral answer (or undefined when none came). */
  async function click(user: string, b: Button, answered = true) {
    const path = `/click/${++n}`;
    const payload = slackButtonClick(user, b, 'approval', `${api.url}${path}`, n);
    expect((await slack.post(SlackClient.payload(payload))).status).toBe(200);
    if (!answered) return undefined;
    return String(((await api.waitFor(path))[0]?.body as { text?: string } | undefined)?.text);
  }

  it('asks the rig’s people, answers the agent as they decide, remembers "always", and denies at the deadline', async () => {
    const calls = join(scratch, 'calls.json');
    writeFileSync(calls, JSON.stringify(CALLS));
    const command = `${process.execPath} ${FAKE_CLAUDE} --calls ${calls} --out ${out} ${permissionFlags({ GT_APPROVAL_TIMEOUT: String(TIMEOUT_S) })}`;
    await town.json('gt', [
      'rig',
      'add',
      'alpha',
      '--prefix',
      'al',
      '--repo',
      repo,
      '--merge',
      'local',
      '--command',
      command,
    ]);
    runner = await RunnerProcess.start(town, 'alpha', [], {
      GT_NATS_CREDS: join(town.home, 'creds', 'runner-alpha.json'), // polecats get their slot's own login
    });
    const bead = await town.json<{ id: string }>('bd', ['create', 'ship the release', '--rig', 'alpha']);
    await town.json('gt', ['sling', bead.id]);

    // 1. Allow once: someone without agent:approve cannot; someone with it can.
    const first = await requestFor('npm run deploy');
    const t = text(card(first));
    expect(t).toContain('alpha/');
    expect(t).toContain(bead.id);
    expect(t).toContain('ship the release');
    expect(t).toContain('```npm run deploy```');
    expect(await click('U_VIEW', button(first, 'Allow once'))).toMatch(
      /may not run gt approval allow: it needs agent:approve/,
    );
    const staleDeny = button(first, 'Deny');
    await click('U_OK', button(first, 'Allow once'), false);
    expect(await replyTo('toolu_1')).toEqual({
      behavior: 'allow',
      updatedInput: { command: 'npm run deploy', description: 'Deploy it' },
    });
    await untilCard(
      first,
      'allowed',
      (x) => x.includes('Allowed by slack:U_OK: from chat') && !x.includes('"actions"'),
    );
    // A late click on the old card changes nothing.
    expect(await click('U_OK', staleDeny)).toMatch(
      /already decided \(Allowed by slack:U_OK: from chat\); nothing changed/,
    );

    // 2. The same call again: asked again (once was once); "always" adds the rig's rule.
    await waitFor(() => posts().filter((r) => text(r).includes('npm run deploy')).length === 2, 30_000);
    const second = /"approval:(hq-[a-z0-9]+)"/.exec(text(posts().at(-1)))?.[1] as string;
    expect(second).not.toBe(first);
    await click('U_OK', button(second, 'Always allow for rig alpha'), false);
    expect((await replyTo('toolu_2')).behavior).toBe('allow');
    await untilCard(second, 'the rule', (x) => x.includes('from now on for the rig: Bash: npm run deploy'));

    // 3. The rule answers the third identical call at once: no card.
    expect(await replyTo('toolu_3')).toEqual({
      behavior: 'allow',
      updatedInput: { command: 'npm run deploy' },
    });

    // 4. Deny: the agent reads who decided. What the agent wrote is inert on the card.
    const pushed = await requestFor('git push --force');
    expect(text(card(pushed))).toContain('&lt;!channel&gt;');
    expect(text(card(pushed))).not.toContain('<!channel>');
    expect(posts().filter((r) => text(r).includes('npm run deploy'))).toHaveLength(2);
    await click('U_OK', button(pushed, 'Deny'), false);
    const denied = await replyTo('toolu_4');
    expect(denied).toMatchObject({ behavior: 'deny' });
    expect((denied as { message: string }).message).toMatch(
      /^Denied by slack:U_OK\. A person decided against this call/,
    );

    // 5. Nobody answers: denied at the deadline, and the card says so.
    const removed = await requestFor('rm -rf build');
    const timedOut = await replyTo('toolu_5');
    expect(timedOut).toMatchObject({ behavior: 'deny' });
    expect((timedOut as { message: string }).message).toMatch(
      new RegExp(`No person answered this permission request within ${TIMEOUT_S} s, so it is denied`),
    );
    await untilCard(
      removed,
      'timed out',
      (x) => x.includes('Timed out: no answer from a person') && !x.includes('"actions"'),
    );

    const listed = await town.json<{ requests: Array<{ id: string; state: string }>; rules: object[] }>(
      'gt',
      ['approval', 'list', '--all'],
    );
    expect(Object.fromEntries(listed.requests.map((r) => [r.id, r.state]))).toEqual({
      [first]: 'allow',
      [second]: 'allow',
      [pushed]: 'deny',
      [removed]: 'deny',
    });
    expect(listed.rules).toEqual([
      expect.objectContaining({ rig: 'alpha', tool: 'Bash', value: 'npm run deploy', by: 'slack:U_OK' }),
    ]);
    const metrics = await (await fetch(`${town.runtime().http_url}/metrics`)).text();
    for (const outcome of ['allow_once', 'allow_always', 'allow_rule', 'deny', 'timeout'])
      expect(metrics).toContain(`gt_agent_approvals_total{outcome="${outcome}"} 1`);
    const audit = await town.json<Array<{ actor: string; verb: string; outcome: string }>>('gt', [
      'audit',
      '--limit',
      '100',
    ]);
    expect(
      audit.filter((a) => a.actor.startsWith('slack:')).map((a) => [a.actor, a.verb, a.outcome]),
    ).toEqual([
      ['slack:U_OK', 'gt approval deny', 'ok'],
      ['slack:U_OK', 'gt approval allow', 'ok'],
      ['slack:U_OK', 'gt approval deny', 'refused'],
      ['slack:U_OK', 'gt approval allow', 'ok'],
      ['slack:U_VIEW', 'gt approval allow', 'refused'],
    ]);
    // The polecat asked as itself: its slot's NATS user, never the operator's.
    expect(
      audit.filter((a) => a.verb === 'gt approval request').every((a) => a.actor.startsWith('alpha/')),
    ).toBe(true);
  }, 120_000);
});
