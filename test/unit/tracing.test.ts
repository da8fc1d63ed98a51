import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app/logger.ts';
import { requestedExporter, startTracing, type Tracing } from '../../src/app/tracing.ts';
import { contextFromHeaders, traceHeaders, traceparentIn } from '../../src/bus/trace-headers.ts';
import {
  contextOfTraceparent,
  inSpan,
  traceEnv,
  traceparentOf,
  tracingEnabled,
  validTraceparent,
  withContext,
} from '../../src/bus/tracing.ts';
import { contextOfWrite } from '../../src/bus/write-traces.ts';
import { CATALOG } from '../../src/commands/catalog.ts';
import { CommandRegistry } from '../../src/commands/registry.ts';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.ts';

const PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

/** A logger writing its JSON lines into an array. */
function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { log: createLogger('info', [], sink), lines };
}

describe('tracing settings', () => {
  it('every OTEL_* variable the code reads is in docs/configuration.md', () => {
    const root = join(import.meta.dirname, '../..');
    const files = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.ts'),
    );
    const read = new Set<string>();
    for (const file of files)
      for (const m of readFileSync(join(root, 'src', file), 'utf8').matchAll(
        /\b(OTEL_[A-Z0-9_]*[A-Z0-9])\b/g,
      ))
        read.add(m[1] as string);
    expect(read.size).toBeGreaterThan(5);
    const doc = readFileSync(join(root, 'docs/configuration.md'), 'utf8');
    expect([...read].filter((name) => !doc.includes(`\`${name}\``))).toEqual([]);
  });
});

describe('tracing off (no OTEL_* variable)', () => {
  it('asks for no exporter unless an OTEL_* variable does', () => {
    expect(requestedExporter({})).toBeNull();
    expect(requestedExporter({ GT_HOME: '/x' })).toBeNull();
    expect(requestedExporter({ OTEL_TRACES_EXPORTER: 'none' })).toBeNull();
    expect(requestedExporter({ OTEL_TRACES_EXPORTER: 'zipkin' })).toBeNull();
    expect(requestedExporter({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe('otlp');
    expect(requestedExporter({ OTEL_TRACES_EXPORTER: 'Console' })).toBe('console');
    expect(requestedExporter({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe('otlp');
    expect(requestedExporter({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toBe('otlp');
    expect(
      requestedExporter({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }),
    ).toBeNull();
  });

  it('a CLI call loads no OpenTelemetry module at all, unless an OTEL_* variable asks', () => {
    // A child process records what it resolves while `bd show` fails to find a service (exit 3).
    const probe = `
      import module from 'node:module';
      const seen = new Set();
      module.registerHooks({ resolve(s, c, next) { if (s.startsWith('@opentelemetry/')) seen.add(s); return next(s, c); } });
      const { main } = await import(${JSON.stringify(join(import.meta.dirname, '../../src/cli/bd.ts'))});
      const code = await main(['show', 'x-1'], process.env, { out() {}, err() {} });
      process.stdout.write(JSON.stringify({ code, loaded: seen.size }));`;
    const run = (extra: Record<string, string>) => {
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        GT_HOME: '/nonexistent-gt',
      };
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe], {
        env: { ...env, ...extra },
        encoding: 'utf8',
      });
      return JSON.parse(out) as { code: number; loaded: number };
    };
    expect(run({})).toEqual({ code: 3, loaded: 0 });
    expect(run({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' }).loaded).toBeGreaterThan(3);
  });

  it('starts nothing and leaves every helper a plain call', async () => {
    expect(await startTracing('t', {})).toBeNull();
    expect(tracingEnabled()).toBe(false);
    expect(await inSpan('x', {}, async (span) => span)).toBeUndefined();
    expect(traceHeaders()).toBeUndefined();
    expect(contextFromHeaders(traceHeaders(undefined, PARENT))).toBeUndefined();
    expect(traceEnv()).toEqual({});
    expect(withContext(contextOfTraceparent(PARENT), () => traceparentOf())).toBeUndefined();
    const { log, lines } = capturedLogger();
    log.info('plain');
    expect(lines[0]).not.toHaveProperty('trace_id');
  });

  it('still passes a handed traceparent on (an agent whose CLI runs no tracer), validated', () => {
    expect(traceparentIn(traceHeaders(undefined, PARENT))).toBe(PARENT);
    expect(traceEnv(PARENT)).toEqual({ TRACEPARENT: PARENT });
    for (const bad of [
      '',
      'garbage',
      '00-00000000000000000000000000000000-b7ad6b7169203331-01',
      `${PARENT}\r\nx: y`,
    ])
      expect(traceHeaders(undefined, bad), bad).toBeUndefined();
    expect(validTraceparent(` ${PARENT} `)).toBe(PARENT);
  });
});

describe('tracing on (in-memory exporter)', () => {
  // A new one per test: shutting tracing down shuts its exporter down for good.
  let exporter: InMemorySpanExporter;
  let tracing: Tracing | null;
  beforeEach(async () => {
    exporter = new InMemorySpanExporter();
    tracing = await startTracing('tracing-test', {}, { exporter });
  });
  afterEach(async () => {
    await tracing?.shutdown();
    expect(tracingEnabled()).toBe(false);
  });
  const spans = () => exporter.getFinishedSpans();

  it('continues a trace across a message: headers out, remote parent in', async () => {
    const sent = await inSpan('send', { parent: contextOfTraceparent(PARENT) }, async () => traceHeaders());
    const received = await inSpan('receive', { parent: contextFromHeaders(sent) }, async () => traceEnv());
    const [send, receive] = spans();
    expect(send?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(send?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(receive?.spanContext().traceId).toBe(send?.spanContext().traceId);
    expect(receive?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
    // A child process (a polecat) is started inside the receiving span.
    expect(received.TRACEPARENT).toBe(
      `00-${receive?.spanContext().traceId}-${receive?.spanContext().spanId}-01`,
    );
  });

  it('log lines written inside a span carry its trace id', async () => {
    const { log, lines } = capturedLogger();
    await inSpan('work', {}, async () => log.warn('inside'));
    log.warn('outside');
    expect(lines[0]).toMatchObject({ msg: 'inside', trace_id: spans()[0]?.spanContext().traceId });
    expect(lines[1]).not.toHaveProperty('trace_id');
  });

  it('a failure marks the span with its message, URL passwords removed, and nothing else', async () => {
    await expect(
      inSpan('fails', {}, async () => {
        throw new Error('cannot reach mongodb://gt:hunter2secret@db:27017/town');
      }),
    ).rejects.toThrow();
    const [span] = spans();
    expect(span?.status.message).not.toContain('hunter2secret');
    expect(span?.events).toEqual([]); // no exception event: its stack could carry more
  });

  it('one span per command, and the ledger events of its write map back to it', async () => {
    const ledger = new SqliteLedger({ path: ':memory:' });
    await ledger.init();
    try {
      const registry = new CommandRegistry({ ledger, now: () => new Date() }, CATALOG, (err) => {
        throw err;
      });
      const reply = await withContext(contextOfTraceparent(PARENT), () =>
        registry.execute({
          verb: 'bd create',
          args: { title: 'traced', description: 'token xoxb-1-2 stays out of spans' },
          actor: { kind: 'human', id: 'u' },
          source: 'cli',
        }),
      );
      expect(reply.ok).toBe(true);
      const command = spans().find((s) => s.name === 'bd create');
      expect(command?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
      expect(command?.attributes).toEqual({
        'gt.verb': 'bd create',
        'gt.source': 'cli',
        'gt.actor': 'u',
        'gt.outcome': 'ok',
      });
      const [event] = await ledger.eventsSince(0);
      const ctx = contextOfWrite(event as { actor: string; at: string });
      expect(traceparentOf(ctx)).toBe(
        `00-${command?.spanContext().traceId}-${command?.spanContext().spanId}-01`,
      );
    } finally {
      await ledger.close();
    }
  });
});
