import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi } from '../../src/bus/api-client.ts';
import { type NatsServerProcess, startNatsServer } from '../../src/bus/nats-server-process.ts';
import { CATALOG } from '../../src/commands/catalog.ts';
import {
  alive,
  fuzzOptions,
  LedgerProbe,
  leaks,
  nastyJson,
  nastyString,
  protoKey,
  withProtoKey,
} from '../support/fuzz.ts';
import { Town } from './town.ts';

/**
 * Issue 8 item 3: random request bodies on random `gt.api.>` subjects, through a real nats-server
 * (max_payload 128 KiB, so bodies near and over it are cheap) and the real service (`gt up` as a
 * child: API server, command layer, SQLite file). Every request is answered with a well-formed
 * Reply; a refusal says what is wrong and changes nothing; the service survives all of it.
 */
const MAX_PAYLOAD = 128 * 1024;
const REFUSAL_KINDS = ['usage', 'refused', 'not_found', 'conflict'];
/** A refusal names the problem and the way out: the usage, what to send, or what to run/check. */
const SAYS_WHAT_TO_DO =
  /usage:|see |send |run |try |use |check |narrow|must |ask |one of|expected|needs? |give |write |name |between|at most|limit|only |cannot |already |not found|not a valid|is empty|unknown /i;

const verbs = CATALOG.map((d) => ({
  path: d.path,
  names: [...d.syntax.positionals.map((p) => p.name), ...Object.keys(d.syntax.flags)],
}));

const token = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...new Set(CATALOG.flatMap((d) => d.path))) },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9_$-]{1,12}$/) },
  { weight: 1, arbitrary: fc.constantFrom('💥', 'ünï', '__proto__', 'constructor', 'toString', 'api', 'gt') },
);
/** A real verb's subject (most of the time) or random tokens under `gt.api.`. */
const subject = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...verbs.map((v) => v.path)) },
  { weight: 1, arbitrary: fc.array(token, { minLength: 1, maxLength: 5 }) },
);

const value = fc.oneof(
  { weight: 4, arbitrary: nastyString },
  { weight: 2, arbitrary: fc.array(nastyString, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constant(null)) },
  { weight: 1, arbitrary: nastyJson },
);
/** Arguments: mostly the verb's own names with wrong or odd values, sometimes not an object at all. */
const args = (names: string[]) =>
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc.dictionary(
        names.length ? fc.oneof(fc.constantFrom(...names), protoKey) : protoKey,
        value,
        {
          maxKeys: 4,
        },
      ),
    },
    { weight: 1, arbitrary: fc.oneof(fc.array(value), fc.integer(), fc.constant(null), nastyString) },
    { weight: 1, arbitrary: nastyJson },
  );
const actor = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constantFrom('human', 'agent', 'system'),
      id: fc.constantFrom('fuzz', 'alpha/Toast'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record(
      { kind: fc.oneof(nastyString, fc.integer()), id: nastyString },
      { requiredKeys: [] },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('human'), id: fc.nat({ max: 5000 }).map((n) => 'i'.repeat(n)) }),
  },
  { weight: 1, arbitrary: nastyJson },
);
/** The envelope with fields missing, wrong or extra (a computed key makes `__proto__` an own key). */
const envelope = (names: string[]) =>
  fc
    .tuple(
      fc.record(
        { args: args(names), actor, source: fc.oneof(nastyString, fc.integer()) },
        { requiredKeys: [] },
      ),
      fc.option(fc.tuple(fc.oneof(protoKey, nastyString), nastyJson)),
    )
    .map(([e, extra]) => (extra ? { ...e, [extra[0]]: extra[1] } : e));

/**
 * Where the request goes: the open API subject, or an identified caller's (`gt.as.…`, what agents
 * and runners use) — valid identities, cut-off ones and unknown kinds.
 */
const base = fc.oneof(
  { weight: 4, arbitrary: fc.constant('gt.api') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'gt.as.agent.alpha.Toast',
      'gt.as.agent.beta.Nux',
      'gt.as.runner.alpha',
      'gt.as.agent.alpha',
      'gt.as.nobody',
      'gt.as',
    ),
  },
);

/** One request: a subject and the exact bytes sent. */
const request = fc.tuple(base, subject).chain(([prefix, path]) => {
  const names = verbs.find((v) => v.path.join('.') === path.join('.'))?.names ?? [];
  const body = fc.oneof(
    { weight: 6, arbitrary: envelope(names).map((e) => JSON.stringify(e)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)) },
    { weight: 1, arbitrary: nastyString },
    { weight: 1, arbitrary: nastyJson.map((j) => JSON.stringify(j) ?? 'undefined') },
    { weight: 1, arbitrary: nastyJson.map((j) => withProtoKey(JSON.stringify(j) ?? '1')) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '{"args":{"__proto__":{"admin":true}},"actor":{"kind":"human","id":"x"}}',
        '{"args":{"constructor":"x","toString":"y"},"actor":{"kind":"human","id":"x"}}',
        '{"args":{},"actor":{"kind":"human","id":"x","principal":{"platform":"slack","user":"U","groups":[]}}}',
        '{"args":{},"actor":{"__proto__":{"kind":"human","id":"x"}}}',
        `{"args":${'['.repeat(5000)}${']'.repeat(5000)},"actor":{"kind":"human","id":"x"}}`,
        `{"args":{"title":${'{"a":'.repeat(6000)}1${'}'.repeat(6000)}},"actor":{"kind":"human","id":"x"}}`,
        `{"args":${'['.repeat(30_000)}${']'.repeat(30_000)},"actor":{"kind":"human","id":"x"}}`,
        `{"args":{"$where":"1","title.x":"y"},"actor":{"kind":"human","id":"x"}}`,
        `{"args":{"title":"${'\\u0000'.repeat(1000)}"},"actor":{"kind":"human","id":"x"}}`,
      ),
    },
  );
  // Bodies over max_payload are the client library's to refuse; the last test sends them raw.
  return fc
    .tuple(fc.constant(`${prefix}.${path.join('.')}`), body)
    .filter(([, b]) => b.length < MAX_PAYLOAD / 2);
});

describe('the API subject under random input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-api-fuzz-'));
  const town = new Town();
  let nats: NatsServerProcess;
  let nc: NatsConnection;
  let probe: LedgerProbe;

  beforeAll(async () => {
    nats = await startNatsServer({ storeDir: join(dir, 'nats'), maxPayload: MAX_PAYLOAD });
    await town.up(['--http-port', '0'], { GT_NATS_URL: nats.url });
    nc = await connect({ servers: nats.url });
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al']);
    await town.json('bd', ['create', 'seed', '--rig', 'alpha']);
    probe = new LedgerProbe(town.home);
  }, 60_000);
  afterAll(async () => {
    if (process.env.GT_FUZZ_DEBUG) console.log(town.serviceOutput.slice(-4000));
    probe?.close();
    await nc?.close();
    await town.destroy();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Sends the bytes, expects a well-formed Reply in time; returns it. */
  async function ask(subject: string, body: string | Uint8Array) {
    const msg = await nc.request(subject, body, { timeout: 5_000 });
    const text = msg.string();
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_PAYLOAD);
    const reply = JSON.parse(text) as Record<string, unknown>;
    expect(typeof reply.ok).toBe('boolean');
    expect(leaks(text, [])).toBeNull();
    if (reply.ok) {
      expect(reply).toHaveProperty('data');
      return { ok: true as const };
    }
    const error = reply.error as { kind: string; code: string; message: string };
    expect(REFUSAL_KINDS).toContain(error.kind); // never "internal": bad input is not our crash
    expect(error.code).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(error.message).toMatch(/\S{3,}/);
    expect(error.message, error.message).toMatch(SAYS_WHAT_TO_DO);
    return { ok: false as const, code: error.code };
  }

  /** The service still answers a valid request (and its process lives). */
  async function stillServes() {
    expect(alive(town.runtime().pid)).toBe(true);
    const reply = await callApi(
      nc,
      'gt',
      { verb: 'bd list', args: { all: true }, actor: { kind: 'human', id: 'fuzz' } },
      5_000,
    );
    expect(reply).toMatchObject({ ok: true, data: expect.any(Array) });
  }

  it('random bodies on random verbs: always a well-formed reply; a refusal explains itself and changes nothing', async () => {
    const codes = new Map<string, number>();
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(request, async ([subject, body]) => {
        const before = probe.fingerprint();
        const r = await ask(subject, body);
        if (r.ok) {
          accepted++;
          return;
        }
        codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
        expect(probe.fingerprint()).toBe(before);
      }),
      fuzzOptions(2000),
    );
    // The inputs reached every stage: the envelope check, the verb lookup and the argument check.
    for (const code of [
      'malformed_request',
      'unknown_command',
      'unknown_argument',
      'bad_argument_type',
      'identity_mismatch',
    ])
      expect(codes.get(code) ?? 0, `${code} in ${JSON.stringify([...codes])}`).toBeGreaterThan(0);
    expect(accepted + [...codes.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    await stillServes();
  }, 60_000);

  it('bursts of concurrent garbage are all answered', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 10, maxLength: 40 }), async (batch) => {
        await Promise.all(batch.map(([subject, body]) => ask(subject, body)));
      }),
      fuzzOptions(30),
    );
    await stillServes();
  }, 60_000);

  it('bodies near max_payload are answered; bodies over it cost the sender its connection, not the service', async () => {
    const envelopeOf = (size: number, verb: string) => {
      const head = `{"actor":{"kind":"human","id":"fuzz"},"args":{"${verb === 'bd.create' ? 'title' : 'x'}":"`;
      return `${head}${'y'.repeat(Math.max(0, size - head.length - 3))}"}}`;
    };
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: MAX_PAYLOAD - 4096, max: MAX_PAYLOAD }),
        fc.constantFrom('bd.create', 'bd.show', 'gt.mail.send', 'nope.nope'),
        fc.boolean(),
        async (size, verb, json) => {
          const before = probe.fingerprint();
          const body = json ? envelopeOf(size, verb) : Buffer.alloc(size, 0xff);
          expect(body.length).toBe(size);
          const r = await ask(`gt.api.${verb}`, body);
          expect(r.ok).toBe(false);
          expect(probe.fingerprint()).toBe(before);
        },
      ),
      fuzzOptions(20),
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: MAX_PAYLOAD + 1, max: MAX_PAYLOAD * 40 }), async (size) => {
        const before = probe.fingerprint();
        // The server hangs up on the sender (its -ERR may be lost to the reset of the socket).
        expect(await rawPublish(nats.url, 'gt.api.bd.create', size)).toMatch(
          /^(INFO .*)?(-ERR 'Maximum Payload.*)?$/s,
        );
        await stillServes();
        expect(probe.fingerprint()).toBe(before);
      }),
      fuzzOptions(8),
    );
  }, 60_000);
});

/**
 * Publishes `size` bytes with the raw NATS protocol (the client library refuses to send over
 * max_payload; a hostile client would not): returns what the server said before it hung up.
 */
function rawPublish(url: string, subject: string, size: number): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let said = '';
    const socket = tcpConnect(Number(port), hostname);
    socket.on('data', (c) => {
      if (!said) {
        socket.write('CONNECT {"verbose":false,"pedantic":false}\r\n');
        socket.write(`PUB ${subject} _INBOX.fuzz ${size}\r\n`);
        socket.write(Buffer.alloc(size, 0x7b));
        socket.write('\r\n');
      }
      said += c.toString();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => resolve(said));
    setTimeout(() => reject(new Error(`nats-server kept the connection: ${said}`)), 5_000).unref();
  });
}
