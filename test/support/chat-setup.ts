import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Recorded, RecordingServer } from './recording-server.ts';

/** Writes a chat policy file into the town's home; returns its path (for GT_POLICY_FILE). */
export function writePolicy(town: { home: string }, policy: object): string {
  const path = join(town.home, 'policy.json');
  writeFileSync(path, JSON.stringify(policy));
  return path;
}

/** The environment of a Slack surface in HTTP mode whose Web API is the recording server. */
export const slackEnv = (api: RecordingServer, secret: string): Record<string, string> => ({
  SLACK_BOT_TOKEN: 'xoxb-test',
  SLACK_SIGNING_SECRET: secret,
  SLACK_API_URL: `${api.url}/api/`,
});

/** A recording-server answer: `usergroups.users.list` of `group` lists `users`. */
export const usergroupMembers = (group: string, users: string[]) => (r: Recorded) =>
  r.path === '/api/usergroups.users.list' && typeof r.body === 'object' && r.body.usergroup === group
    ? { body: { ok: true, users } }
    : undefined;
