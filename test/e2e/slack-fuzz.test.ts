import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackEnv, writePolicy } from '../support/chat-setup.ts';
import {
  alive,
  deepJsonText,
  fuzzOptions,
  LedgerProbe,
  leaks,
  nastyJson,
  nastyString,
  protoKey,
} from '../support/fuzz.ts';
import { RecordingServer } from '../support/recording-server.ts';
import { SlackClient } from '../support/slack-client.ts';
import { Town } from './town.ts';

const SECRET = 'slack-fuzz-signing-secret-3f9a';
const TOKEN = 'xoxb-fuzz-bot-token-77e1';

/**
 * Issue 8 item 3: hostile payloads through the real /slack/events endpoint of a running `gt up`,
 * signed exactly as Slack signs (v0 HMAC over `v0:<timestamp>:<body>`), and the same requests
 * unsigned, badly signed, stale or oversize. The endpoint always answers — 200, or 4xx for a bad
 * signature, a body it cannot read or one too large — never 5xx and never hangs; nothing leaks;
 * the fuzzed callers hold no rights, so nothing may change in the ledger; the service lives on.
 */
describe('Slack endpoint under random input', () => {
  const town = new Town();
  const api = new RecordingServer();
  let slack: SlackClient;
  let url = '';
  let probe: LedgerProbe;
  let seq = 0;

  beforeAll(async () => {
    await api.start();
    // Bolt asks auth.test who the bot is (and takes the workspace from it, not from the payload).
    api.answer((r) =>
      r.path === '/api/auth.test'
        ? { body: { ok: true, team_id: 'T_FUZZ', user_id: 'U_BOT', bot_id: 'B_BOT', team: 'fuzz' } }
        : undefined,
    );
    const policy = writePolicy(town, {
      roles: { admin: { permissions: ['admin'] } },
      slack: { users: { U_ADMIN: ['admin'] }, usergroups: { S_ADMINS: ['admin'] } },
    });
    await town.up(['--http-port', '0'], {
      SLACK_MODE: 'http',
      ...slackEnv(api, SECRET),
      SLACK_BOT_TOKEN: TOKEN,
      GT_POLICY_FILE: policy,
    });
    url = town.runtime().http_url;
    slack = new SlackClient(url, SECRET);
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al']);
    await town.json('bd', ['create', 'seed', '--rig', 'alpha']);
    probe = new LedgerProbe(town.home);
  }, 60_000);
  afterAll(async () => {
    if (process.env.GT_FUZZ_DEBUG) console.log(town.serviceOutput.slice(-4000));
    probe?.close();
    await town.destroy();
    await api.stop();
  });

  /** POSTs raw bytes; `sign` false leaves the headers as given. Checks the universal properties. */
  async function post(body: string | Buffer, type: string | null, headers: Record<string, string> = {}) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const res = await fetch(`${url}/slack/events`, {
      method: 'POST',
      body,
      headers: {
        ...(type === null ? {} : { 'content-type': type }),
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': slack.sign(body.toString(), Number(timestamp)),
        ...headers,
      },
      signal: AbortSignal.timeout(10_000),
    }).catch((err) => {
      throw new Error(
        `no answer (service ${alive(town.runtime().pid) ? 'alive' : 'dead'}): ${err.cause ?? err}\n${town.serviceOutput.slice(-3000)}`,
      );
    });
    const text = await res.text();
    expect(res.status, text).toBeLessThan(500);
    expect(leaks(text, [SECRET, TOKEN])).toBeNull();
    return { status: res.status, text };
  }

  /** The answers the service sent to a response URL of this test (none must leak). */
  const answers = (path: string) =>
    api.to(path).map((r) => {
      const body = r.body as { text?: unknown; response_type?: unknown };
      expect(leaks(JSON.stringify(r.body), [SECRET, TOKEN])).toBeNull();
      return body;
    });

  async function stillServes() {
    expect(alive(town.runtime().pid)).toBe(true);
    const path = `/ok/${++seq}`;
    const ack = await slack.post(SlackClient.command('bd', 'list --all', 'U_ADMIN', `${api.url}${path}`));
    expect(ack.status).toBe(200);
    const [answer] = await api.waitFor(path);
    expect((answer?.body as { text?: string } | undefined)?.text).toContain('seed');
  }

  const user = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('U_NOBODY', 'U_admin', 'U_ADMIN ', 'S_ADMINS', '') },
    { weight: 2, arbitrary: protoKey },
    { weight: 2, arbitrary: nastyString },
  );
  const text = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        'help',
        'rig park alpha',
        'create x --rig alpha',
        'list',
        'escalation ack hq-1',
      ),
    },
    { weight: 3, arbitrary: nastyString },
    {
      weight: 1,
      arbitrary: fc.constantFrom('"unclosed', "it's", '\\', '“curly', '--', '-p 9', `${'x '.repeat(5000)}`),
    },
  );

  it('slash commands with odd, missing or hostile fields: acknowledged, explained, nothing changed', async () => {
    let explained = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            command: fc.oneof(fc.constantFrom('/gt', '/bd'), nastyString),
            text,
            user_id: user,
            user_name: nastyString,
            team_id: nastyString,
            channel_id: nastyString,
            trigger_id: nastyString,
          },
          { requiredKeys: ['command'] },
        ),
        fc.boolean(),
        fc.option(fc.tuple(protoKey, nastyString)),
        fc.option(fc.constantFrom(42, null, ['list'], { length: 1e9 }), { freq: 8 }),
        async (fields, json, extra, oddText) => {
          const path = `/resp/${++seq}`;
          const payload: Record<string, unknown> = { ...fields, response_url: `${api.url}${path}` };
          if (extra) payload[extra[0]] = extra[1];
          if (json && oddText !== null) payload.text = oddText; // Slack sends a string; a JSON body need not
          const body = json
            ? JSON.stringify(payload)
            : new URLSearchParams(
                Object.entries(payload).map(([k, v]): [string, string] => [k, String(v)]),
              ).toString();
          const before = probe.fingerprint();
          const { status } = await post(
            body,
            json ? 'application/json' : 'application/x-www-form-urlencoded',
          );
          expect(status).toBe(200);
          // A well-formed /gt or /bd from someone: an ephemeral answer that explains the refusal.
          if (['/gt', '/bd'].includes(String(fields.command)) && typeof fields.user_id === 'string') {
            const [answer] = await api.waitFor(path, 1, 5_000);
            const a = answer?.body as { response_type: string; text: string };
            expect(a.response_type).toBe('ephemeral');
            expect(a.text).toMatch(/\S{3,}/);
            explained++;
          }
          answers(path);
          expect(probe.fingerprint()).toBe(before);
        },
      ),
      fuzzOptions(150),
    );
    expect(explained).toBeGreaterThan(10);
    await stillServes();
  }, 60_000);

  const actionValue = fc.oneof(
    fc.constantFrom(
      'hq-1',
      'hq-1:',
      ':1:ack',
      'hq-1:x:ack',
      'hq-zz:1:reassign:alpha/Nux',
      'hq-1:1:pick',
      '::::',
    ),
    nastyString,
  );
  const action = fc.record(
    {
      action_id: fc.oneof(fc.constantFrom('esc.act.0', 'esc.ack.1', 'esc.pick.2', 'mail.reply'), nastyString),
      value: fc.oneof(actionValue, nastyJson),
      type: fc.constantFrom('button', 'static_select', 'overflow'),
      block_id: nastyString,
    },
    { requiredKeys: [] },
  );
  /** Interactive payloads: block actions and dialog submissions, with the fields Slack sends mangled. */
  const interactive = fc.oneof(
    fc.record(
      {
        type: fc.constant('block_actions'),
        user: fc.oneof(fc.record({ id: user, username: nastyString }, { requiredKeys: [] }), nastyJson),
        actions: fc.oneof(fc.array(action, { maxLength: 3 }), nastyJson),
        trigger_id: nastyString,
        channel: fc.oneof(fc.record({ id: nastyString }), nastyJson),
        team: fc.oneof(fc.record({ id: nastyString }), nastyJson),
        container: nastyJson,
      },
      { requiredKeys: ['type'] },
    ),
    fc.record(
      {
        type: fc.constant('view_submission'),
        user: fc.oneof(fc.record({ id: user, name: nastyString }, { requiredKeys: [] }), nastyJson),
        view: fc.oneof(
          fc.record(
            {
              callback_id: fc.oneof(fc.constant('esc.pick'), nastyString),
              private_metadata: fc.oneof(fc.constantFrom('hq-1:1:C1', 'hq-1', ':::'), nastyString),
              state: fc.oneof(
                fc.record({
                  values: fc.record(
                    {
                      target: fc.record({ address: fc.record({ value: fc.oneof(nastyString, nastyJson) }) }),
                    },
                    { requiredKeys: [] },
                  ),
                }),
                nastyJson,
              ),
            },
            { requiredKeys: [] },
          ),
          nastyJson,
        ),
      },
      { requiredKeys: ['type'] },
    ),
    fc.record(
      {
        type: fc.oneof(nastyString, fc.constantFrom('url_verification', 'event_callback')),
        challenge: nastyJson,
        event: nastyJson,
      },
      { requiredKeys: [] },
    ),
  );

  it('interactive payloads and garbage bodies, correctly signed: 200 or 400, never 5xx; nothing changed', async () => {
    const garbage = fc.oneof(
      interactive.map((p) => SlackClient.payload(p)),
      interactive.map((p) => JSON.stringify(p)),
      fc.constantFrom(
        'payload=',
        'payload=%7B',
        'payload=null',
        'payload=[1]',
        'payload=%22x%22',
        '{',
        'null',
        '[]',
        '"x"',
        '1e999',
        '',
        '&&&=',
        '%E0%A4%A',
      ),
      nastyJson.map((j) => JSON.stringify(j)),
      nastyString,
      fc.nat({ max: 100_000 }).map(deepJsonText),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
    );
    const type = fc.constantFrom(
      'application/x-www-form-urlencoded',
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/xml',
      '',
      null,
    );
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(garbage, type, async (body, contentType) => {
        const before = probe.fingerprint();
        const { status } = await post(body, contentType);
        statuses.add(status);
        expect([200, 400]).toContain(status);
        expect(probe.fingerprint()).toBe(before);
      }),
      fuzzOptions(300),
    );
    expect(statuses.has(200)).toBe(true);
    await stillServes();
  }, 60_000);

  it('unsigned, forged, stale and future requests: 401 and nothing runs', async () => {
    const now = () => Math.floor(Date.now() / 1000);
    const forgery = fc.oneof(
      fc.constant({}),
      fc.record({ 'x-slack-signature': fc.oneof(nastyString, fc.constant(`v0=${'0'.repeat(64)}`)) }),
      fc.record({
        'x-slack-request-timestamp': fc.oneof(nastyString, fc.constantFrom('-1', '1e10', '0x10', ' 1', '')),
      }),
      fc
        .integer({ min: 301, max: 10_000_000 })
        .chain((skew) => fc.constantFrom(-skew, skew).map((d) => ({ timestamp: now() + d }))),
      fc.constant({ otherSecret: true }),
    );
    await fc.assert(
      fc.asyncProperty(forgery, async (f) => {
        const path = `/forged/${++seq}`;
        const body = SlackClient.command('bd', 'create "forged" --rig alpha', 'U_ADMIN', `${api.url}${path}`);
        const before = probe.fingerprint();
        const headers: Record<string, string> = {};
        if ('timestamp' in f) {
          headers['x-slack-request-timestamp'] = String(f.timestamp);
          headers['x-slack-signature'] = slack.sign(body, f.timestamp);
        } else if ('otherSecret' in f) {
          headers['x-slack-signature'] = new SlackClient(url, `${SECRET}x`).sign(body, now());
        } else {
          for (const [k, v] of Object.entries(f)) headers[k] = String(v).replace(/[^\x20-\x7e]/g, '?');
          if (Object.keys(f).length === 0) headers['x-slack-signature'] = '';
        }
        const { status } = await post(body, 'application/x-www-form-urlencoded', headers);
        // Headers near Node's 16 KiB limit (all headers together) are refused by its HTTP server, with 431.
        const near = Object.values(headers).join('').length > 15 * 1024;
        expect(near ? [401, 431] : [401]).toContain(status);
        expect(probe.fingerprint()).toBe(before);
        expect(api.to(path)).toEqual([]);
      }),
      fuzzOptions(60),
    );
    await stillServes();
  }, 60_000);

  it('bodies far over the limit: 413 in time, nothing runs, the service lives on', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1_000_001, max: 40_000_000 }),
        fc.boolean(),
        async (size, signed) => {
          const before = probe.fingerprint();
          const body = Buffer.alloc(size, 'a');
          const started = Date.now();
          const { status } = await post(
            body,
            'application/x-www-form-urlencoded',
            signed ? {} : { 'x-slack-signature': 'v0=0' },
          );
          expect(status).toBe(413);
          expect(Date.now() - started).toBeLessThan(8_000);
          expect(probe.fingerprint()).toBe(before);
        },
      ),
      fuzzOptions(6),
    );
    await stillServes();
  }, 60_000);
});
