import { writePolicy } from '../support/chat-setup.ts';
import type { Town } from './town.ts';

/** Shared by the merge-queue card tests of both platforms. */
export type Mr = { id: string; status: string; version: number; reason: string; merge_commit: string | null };
export type Button = { action_id: string; value: string; text: { text: string }; confirm?: object };
export type Blocks = Array<{ type: string; block_id?: string; elements?: unknown[] }>;

/** Who may do what to rig alpha's queue: each button's permission is someone's and not another's. */
export function mqPolicy(town: Town, platform: object): string {
  return writePolicy(town, {
    roles: {
      viewer: { permissions: ['read'], rigs: ['alpha'] },
      merger: { permissions: ['read', 'mq:write'], rigs: ['alpha'] },
      overrider: { permissions: ['read', 'mq:write', 'mq:override'], rigs: ['alpha'] },
      freezer: { permissions: ['read', 'mq:freeze'], rigs: ['alpha'] },
    },
    ...platform,
  });
}

/**
 * Rig alpha on `repo`, whose gate waits until the test writes `<go>/go-<file>` for every
 * `mr-*.txt` of the tree under test (so the test ends each verification when it wants, without
 * sleeping), then fails on a `bad.txt`.
 */
export async function gatedRig(town: Town, repo: string, go: string): Promise<void> {
  const gate = `for f in mr-*.txt; do [ -e "$f" ] || continue; while [ ! -e '${go}/go-'"$f" ]; do sleep 0.05; done; done; test ! -f bad.txt`;
  await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al', '--repo', repo, '--gate', gate]);
}

/**
 * A Slack `block_actions` payload for a click on a card's button in channel C_ALPHA, as Slack
 * sends it; Slack's answer goes to `responseUrl`.
 */
export function slackButtonClick(
  user: string,
  button: { action_id: string; value: string },
  blockId: string,
  responseUrl: string,
  n: number,
): object {
  return {
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase(), team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy',
    team: { id: 'T1', domain: 'town' },
    channel: { id: 'C_ALPHA', name: 'alpha' },
    container: { type: 'message', channel_id: 'C_ALPHA', message_ts: '1.000001' },
    trigger_id: `trigger-${n}`,
    response_url: responseUrl,
    actions: [
      {
        type: 'button',
        action_id: button.action_id,
        block_id: blockId,
        value: button.value,
        action_ts: '1.1',
      },
    ],
  };
}
