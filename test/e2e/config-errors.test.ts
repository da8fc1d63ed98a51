import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Town } from './town.ts';

const SECRET = 'xoxb-do-not-print-me';

/**
 * Issue 7: `gt up` with each invalid configuration exits 2 before starting anything, naming every
 * variable at fault in one message — and never echoing a secret.
 */
describe('gt up refuses invalid configuration', () => {
  const town = new Town();
  afterAll(() => town.destroy());

  const cases: Array<{ what: string; args?: string[]; env: Record<string, string>; says: RegExp[] }> = [
    {
      what: 'missing Slack signing secret in HTTP mode',
      env: { SLACK_BOT_TOKEN: SECRET, SLACK_MODE: 'http' },
      says: [/SLACK_SIGNING_SECRET: is required with SLACK_MODE=http/],
    },
    {
      what: 'Socket Mode without an app token',
      env: { SLACK_BOT_TOKEN: SECRET, SLACK_SIGNING_SECRET: 's', SLACK_MODE: 'socket' },
      says: [/SLACK_APP_TOKEN: is required with SLACK_MODE=socket/],
    },
    {
      what: 'bad URL',
      env: { SLACK_BOT_TOKEN: SECRET, SLACK_SIGNING_SECRET: 's', SLACK_API_URL: 'slack.example' },
      says: [/SLACK_API_URL: must be a URL like https:\/\/slack.com\/api\//],
    },
    {
      what: 'negative interval',
      env: { GT_WITNESS_INTERVAL_S: '-5' },
      says: [/GT_WITNESS_INTERVAL_S: must be 1 or more/],
    },
    {
      what: 'unknown ledger scheme',
      env: { GT_LEDGER_URL: 'postgres://db/gt' },
      says: [/GT_LEDGER_URL \(or --ledger\): must be a URL like sqlite:/],
    },
    {
      what: 'port out of range (flag)',
      args: ['--http-port', '70000'],
      env: {},
      says: [/GT_HTTP_PORT \(or --http-port\): must be 0–65535/],
    },
    {
      what: 'unknown log level',
      env: { GT_LOG_LEVEL: 'loud' },
      says: [/GT_LOG_LEVEL: must be fatal, error/],
    },
    {
      what: 'unknown Slack mode',
      env: { SLACK_MODE: 'carrier-pigeon' },
      says: [/SLACK_MODE: must be socket or http/],
    },
    {
      what: 'half-configured Discord',
      env: { DISCORD_BOT_TOKEN: 'bot' },
      says: [/DISCORD_APP_ID: is required/, /DISCORD_PUBLIC_KEY: is required with DISCORD_MODE=http/],
    },
    {
      what: 'malformed Discord public key',
      env: { DISCORD_APP_ID: '42', DISCORD_BOT_TOKEN: 'bot', DISCORD_PUBLIC_KEY: 'zz' },
      says: [/DISCORD_PUBLIC_KEY: must be 64 hex characters/],
    },
    {
      what: 'missing policy file',
      env: { GT_POLICY_FILE: '/nonexistent/policy.json' },
      says: [/GT_POLICY_FILE: .*does not exist/],
    },
    {
      what: 'several problems at once',
      env: { GT_SQLITE_SYNC: 'sometimes', GT_MAX_RESPAWNS: '1000', GT_NATS_URL: 'localhost:4222' },
      says: [
        /GT_SQLITE_SYNC: must be normal or full/,
        /GT_MAX_RESPAWNS: must be 0–100/,
        /GT_NATS_URL \(or --nats\): must be a URL like nats:/,
      ],
    },
  ];

  it.each(cases)('$what', async ({ args = [], env, says }) => {
    const r = await town.run('gt', ['up', '--http-port', '0', ...args], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: invalid configuration:\n/);
    for (const s of says) expect(r.stderr).toMatch(s);
    expect(r.stderr).toMatch(/See docs\/configuration.md/);
    expect(`${r.stdout}${r.stderr}`).not.toContain(SECRET);
    // Nothing started: no ledger, no runtime file, no NATS store.
    for (const file of ['ledger.db', 'runtime.json', 'nats'])
      expect(existsSync(join(town.home, file))).toBe(false);
  });
});
