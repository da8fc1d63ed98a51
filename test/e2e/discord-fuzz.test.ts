import { sign } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePolicy } from '../support/chat-setup.ts';
import { DiscordClient } from '../support/discord-client.ts';
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
import { Town } from './town.ts';

const APP = '4242';
const BOT_TOKEN = 'discord-fuzz-bot-token-91c2';

/**
 * Issue 8 item 3: hostile interactions through the real /discord/interactions endpoint of a
 * running `gt up`, signed exactly as Discord signs (Ed25519 over timestamp + body), and the same
 * unsigned, forged, stale or oversize. The endpoint answers 200 (with a PONG, an ephemeral
 * explanation or a deferral whose follow-up then arrives), 400 for what is not an interaction, 401
 * for a bad signature, 413 for a body too large — never 5xx, never a hang, nothing leaked; the
 * fuzzed callers hold no rights, so nothing changes in the ledger; the service lives on.
 */
describe('Discord endpoint under random input', () => {
  const town = new Town();
  const api = new RecordingServer();
  const discord = new DiscordClient();
  let probe: LedgerProbe;
  let seq = 0;

  beforeAll(async () => {
    await api.start();
    const policy = writePolicy(town, {
      roles: { admin: { permissions: ['admin'] } },
      discord: { users: { '1001': ['admin'] }, roles: { R_ADMIN: ['admin'] } },
    });
    await town.up(['--http-port', '0'], {
      DISCORD_APP_ID: APP,
      DISCORD_PUBLIC_KEY: discord.publicKeyHex,
      DISCORD_BOT_TOKEN: BOT_TOKEN,
      DISCORD_API_URL: `${api.url}/api`,
      GT_POLICY_FILE: policy,
    });
    discord.url = town.runtime().http_url;
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

  /** POSTs raw bytes signed as Discord signs them unless `headers` say otherwise; universal checks. */
  async function post(
    body: string | Buffer,
    headers: Record<string, string> = {},
    type = 'application/json',
  ) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = sign(
      null,
      Buffer.concat([Buffer.from(timestamp), Buffer.from(body)]),
      privateKey(),
    ).toString('hex');
    const res = await fetch(`${discord.url}/discord/interactions`, {
      method: 'POST',
      body,
      headers: {
        'content-type': type,
        'x-signature-ed25519': signature,
        'x-signature-timestamp': timestamp,
        ...headers,
      },
      signal: AbortSignal.timeout(10_000),
    }).catch((err) => {
      throw new Error(
        `no answer (service ${alive(town.runtime().pid) ? 'alive' : 'dead'}): ${err.cause ?? err}`,
      );
    });
    const text = await res.text();
    expect(res.status, text).toBeLessThan(500);
    expect(leaks(text, [BOT_TOKEN])).toBeNull();
    return { status: res.status, text };
  }
  /** The test client's private key (DiscordClient keeps it private; its post() only sends JSON objects). */
  const privateKey = () => (discord as unknown as { privateKey: import('node:crypto').KeyObject }).privateKey;

  async function stillServes() {
    expect(alive(town.runtime().pid)).toBe(true);
    const i = discord.interaction(2, DiscordClient.command('bd', ['list'], { all: true }), '1001');
    expect((await discord.post(i)).json).toMatchObject({ type: 5 });
    const [answer] = await api.waitFor(`/api/v10/webhooks/${APP}/${i.token}`);
    expect(String((answer?.body as { content?: string } | undefined)?.content)).toContain('seed');
  }

  /** Mostly a value of the right type (odd content), sometimes any JSON at all. */
  const odd = <T>(good: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 8, arbitrary: good }, { weight: 1, arbitrary: nastyJson });
  const optionName = fc.oneof(
    fc.constantFrom('create', 'list', 'rig', 'park', 'title', 'ids', 'name', 'force', 'all', 'show'),
    protoKey,
    nastyString,
  );
  const option: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    option: fc.record(
      {
        name: odd(optionName),
        type: odd(fc.oneof(fc.constantFrom(1, 2, 3, 5), fc.integer())),
        value: odd(fc.oneof(nastyString, fc.integer(), fc.boolean())),
        focused: odd(fc.boolean()),
        options: fc.oneof({ maxDepth: 3 }, nastyJson, fc.array(tie('option'), { maxLength: 3 })),
      },
      { requiredKeys: [] },
    ),
  })).option;
  const customId = fc.oneof(
    fc.constantFrom(
      'esc:ack:hq-1:1:',
      'esc:act:hq-1:x:reassign:alpha/Nux',
      'esc:pick:hq-zz:1:',
      'esc:yes:hq-1:1:retire',
      'esc::::',
      'mail:reply:',
      'mail:reply:hq-m1',
    ),
    nastyString,
  );
  const field = fc.record(
    { custom_id: odd(fc.oneof(fc.constantFrom('address', 'text'), nastyString)), value: odd(nastyString) },
    { requiredKeys: [] },
  );
  const data = fc.record(
    {
      name: odd(fc.oneof(fc.constantFrom('gt', 'bd'), nastyString, protoKey)),
      type: odd(fc.constant(1)),
      options: odd(fc.array(option, { maxLength: 3 })),
      custom_id: odd(customId),
      components: odd(
        fc.array(fc.record({ components: odd(fc.array(field, { maxLength: 2 })) }), { maxLength: 2 }),
      ),
    },
    { requiredKeys: [] },
  );
  const who = fc.oneof(fc.constantFrom('1003', '0', '', '1001 ', 'R_ADMIN'), protoKey, nastyString);
  const user = fc.record({ id: odd(who), username: odd(nastyString) }, { requiredKeys: [] });
  const interaction = fc
    .record(
      {
        id: odd(fc.oneof(fc.uuid(), nastyString)),
        type: fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom(2, 2, 3, 4, 5) },
          { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double()) },
        ),
        token: fc.oneof(
          { weight: 6, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{8,40}$/) },
          { weight: 1, arbitrary: fc.constantFrom('../../channels/555/messages', 'a/b?c=d#e', '%2e%2e', '') },
        ),
        application_id: odd(fc.constant(APP)),
        data: odd(data),
        member: odd(
          fc.record(
            { user: odd(user), roles: odd(fc.array(fc.oneof(who, fc.constant('R_admin')))) },
            { requiredKeys: [] },
          ),
        ),
        user: odd(user),
        guild_id: nastyString,
        channel_id: nastyString,
      },
      { requiredKeys: ['id', 'type', 'token'] },
    )
    .map((i) => ({ ...i, id: typeof i.id === 'string' ? `${i.id}-${++seq}` : i.id }));
  /** Well-typed slash commands (odd verbs, options and values) from callers without rights. */
  const typedOption: fc.Arbitrary<object> = fc.letrec((tie) => ({
    option: fc.record({
      name: optionName,
      type: fc.constantFrom(1, 2, 3, 5),
      value: fc.oneof(nastyString, fc.boolean()),
      options: fc.oneof({ maxDepth: 2 }, fc.constant([]), fc.array(tie('option'), { maxLength: 3 })),
    }),
  })).option;
  const command = fc
    .tuple(
      fc.constantFrom('gt', 'bd'),
      fc.array(typedOption, { maxLength: 3 }),
      who,
      fc.array(who, { maxLength: 2 }),
    )
    .map(([name, options, user, roles]) =>
      discord.interaction(2, { id: '1', name, type: 1, options }, user, roles),
    );
  const anyInteraction = fc.oneof({ weight: 2, arbitrary: interaction }, { weight: 1, arbitrary: command });

  it('interactions of every odd shape: answered at once, deferrals followed up, nothing changed', async () => {
    let deferred = 0;
    await fc.assert(
      fc.asyncProperty(anyInteraction, async (i) => {
        const before = probe.fingerprint();
        const { status, text } = await post(JSON.stringify(i));
        expect([200, 400]).toContain(status);
        const reply = JSON.parse(text) as { type?: number; data?: { content?: string; choices?: unknown[] } };
        if (status === 200) expect([4, 5, 6, 8, 9]).toContain(reply.type);
        if (reply.type === 4) expect(reply.data?.content).toMatch(/\S{3,}/);
        if (reply.type === 5) {
          // A deferred command must be finished: the follow-up edits the deferral with the explanation.
          deferred++;
          const [answer] = await api.waitFor(
            `/api/v10/webhooks/${APP}/${encodeURIComponent(String(i.token))}`,
            1,
            5_000,
          );
          expect(String((answer?.body as { content?: unknown } | undefined)?.content)).toMatch(/\S{3,}/);
        }
        await new Promise((r) => setTimeout(r, 20)); // work after a deferred update (type 6) lands
        expect(probe.fingerprint()).toBe(before);
        // Every REST call went where the interaction's own token leads, or to no other API path.
        for (const r of api.requests.slice(-5))
          expect(r.path, r.path).toMatch(/^\/api\/v10\/webhooks\/4242\/[^/]+(\/messages\/%40original)?$/);
        for (const r of api.requests) expect(leaks(JSON.stringify(r.body), [BOT_TOKEN])).toBeNull();
      }),
      fuzzOptions(200),
    );
    expect(deferred).toBeGreaterThan(30); // the inputs reached the command layer
    await stillServes();
  }, 60_000);

  it('bodies that are not interactions: 400 (or PONG for a ping), never 5xx', async () => {
    const body = fc.oneof(
      nastyJson.map((j) => JSON.stringify(j)),
      nastyString,
      fc.nat({ max: 100_000 }).map(deepJsonText),
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      fc.constantFrom(
        '',
        'null',
        '[]',
        '{}',
        '{"id":1,"type":2,"token":"t"}',
        '{"id":"1","type":"2","token":"t"}',
        '{"__proto__":{"type":1},"id":"1","token":"t"}',
      ),
    );
    const type = fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', '');
    await fc.assert(
      fc.asyncProperty(body, type, async (b, t) => {
        const before = probe.fingerprint();
        const { status } = await post(b, {}, t);
        expect([200, 400]).toContain(status);
        expect(probe.fingerprint()).toBe(before);
      }),
      fuzzOptions(200),
    );
    await stillServes();
  }, 60_000);

  it('unsigned, forged, stale and future requests: 401, and the command never runs', async () => {
    const now = () => Math.floor(Date.now() / 1000);
    const forgery = fc.oneof(
      fc.record({
        'x-signature-ed25519': fc.oneof(
          nastyString,
          fc.constantFrom('', 'ab'.repeat(64), 'zz'.repeat(64), 'ab'.repeat(63)),
        ),
      }),
      fc.record({ 'x-signature-timestamp': fc.oneof(nastyString, fc.constantFrom('', '-1', '1e10', ' 1')) }),
      fc
        .integer({ min: 301, max: 10_000_000 })
        .chain((skew) => fc.constantFrom(-skew, skew).map((d) => ({ skew: d }))),
      fc.constant({ otherKey: true }),
    );
    await fc.assert(
      fc.asyncProperty(forgery, async (f) => {
        const i = discord.interaction(
          2,
          DiscordClient.command('bd', ['create'], { title: 'forged', rig: 'alpha' }),
          '1001',
        );
        const body = JSON.stringify(i);
        const before = probe.fingerprint();
        const headers: Record<string, string> = {};
        if ('skew' in f) {
          const ts = String(now() + f.skew);
          headers['x-signature-timestamp'] = ts;
          headers['x-signature-ed25519'] = sign(null, Buffer.from(ts + body), privateKey()).toString('hex');
        } else if ('otherKey' in f) {
          const other = new DiscordClient() as unknown as { privateKey: import('node:crypto').KeyObject };
          const ts = String(now());
          headers['x-signature-timestamp'] = ts;
          headers['x-signature-ed25519'] = sign(null, Buffer.from(ts + body), other.privateKey).toString(
            'hex',
          );
        } else for (const [k, v] of Object.entries(f)) headers[k] = String(v).replace(/[^\x20-\x7e]/g, '?');
        const { status } = await post(body, headers);
        const near = Object.values(headers).join('').length > 15 * 1024; // Node refuses such headers: 431
        expect(near ? [401, 431] : [401]).toContain(status);
        await new Promise((r) => setTimeout(r, 20));
        expect(probe.fingerprint()).toBe(before);
        expect(api.to(`/api/v10/webhooks/${APP}/${i.token}`)).toEqual([]);
      }),
      fuzzOptions(60),
    );
    await stillServes();
  }, 60_000);

  it('bodies far over the limit: 413 in time, and the service lives on', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1_000_001, max: 40_000_000 }), async (size) => {
        const before = probe.fingerprint();
        const started = Date.now();
        expect((await post(Buffer.alloc(size, '{'))).status).toBe(413);
        expect(Date.now() - started).toBeLessThan(8_000);
        expect(probe.fingerprint()).toBe(before);
      }),
      fuzzOptions(5),
    );
    await stillServes();
  }, 60_000);
});
