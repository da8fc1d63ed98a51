import type * as OtelApi from '@opentelemetry/api';
import type { Context, Span, TraceFlags } from '@opentelemetry/api';
import { redactUrlPasswords } from '../domain/redact-url.ts';

/**
 * The tracing calls every layer makes (docs/operations.md, "Tracing"). They go through the
 * OpenTelemetry API, which src/app/tracing.ts hands over (`enableTracing`) once an OTEL_* variable
 * asked for tracing and the SDK is loaded. Until then not even the API is loaded (a type-only
 * import: ~15 ms of every `gt` call otherwise) and every helper here is a plain function call —
 * no span objects, no context switches — so a town without tracing pays nothing for it.
 */
let otel: typeof OtelApi | null = null;

export function enableTracing(api: typeof OtelApi | null): void {
  otel = api;
}

export const tracingEnabled = (): boolean => otel !== null;

/** W3C `traceparent`: version-traceid-spanid-flags, lowercase hex. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * A `traceparent` value if it is a well-formed one, else undefined: what arrives from an
 * environment variable or a message header is never trusted as-is (an all-zero id is invalid).
 */
export function validTraceparent(value: string | null | undefined): string | undefined {
  const m = value ? TRACEPARENT.exec(value.trim()) : null;
  if (!m || m[1] === 'ff' || /^0+$/.test(m[2] as string) || /^0+$/.test(m[3] as string)) return undefined;
  return m[0];
}

/**
 * The context a `traceparent` names (a remote parent); undefined for none, a malformed one, or
 * with tracing off (nothing would read it).
 */
export function contextOfTraceparent(value: string | null | undefined): Context | undefined {
  const valid = validTraceparent(value);
  if (!valid || !otel) return undefined;
  const [, traceId, spanId, flags] = valid.split('-') as [string, string, string, string];
  return otel.trace.setSpanContext(otel.ROOT_CONTEXT, {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16) as TraceFlags,
    isRemote: true,
  });
}

/** The `traceparent` of a context's span (the active one by default), or undefined without one. */
export function traceparentOf(ctx?: Context): string | undefined {
  if (!otel) return undefined;
  const sc = otel.trace.getSpanContext(ctx ?? otel.context.active());
  if (!sc || !otel.trace.isSpanContextValid(sc)) return undefined;
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 1).toString(16).padStart(2, '0')}`;
}

export interface SpanOptions {
  kind?: 'server' | 'client' | 'consumer' | 'producer' | 'internal';
  /** The parent; default: the active context. */
  parent?: Context | undefined;
  /** Names and ids only: never arguments, texts or anything that may hold a secret. */
  attributes?: Record<string, string | number | boolean>;
}

/** SpanKind's values (a const enum of the API, spelled out so the API need not be loaded). */
const KINDS = { internal: 0, server: 1, client: 2, producer: 3, consumer: 4 } as const;

/**
 * Runs `fn` inside a new span (the active one while it runs), ended when `fn` settles. A throw
 * marks the span failed with the error's message, URL passwords removed — never its stack or
 * the arguments that led to it. With tracing off, `fn` is simply called (span undefined).
 */
export function inSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  const api = otel;
  if (!api) return fn(undefined);
  const parent = options.parent ?? api.context.active();
  return api.trace.getTracer('gastown-ops').startActiveSpan(
    name,
    {
      kind: KINDS[options.kind ?? 'internal'],
      ...(options.attributes && { attributes: options.attributes }),
    },
    parent,
    async (span) => {
      try {
        return await fn(span);
      } catch (err) {
        span.setStatus({
          code: api.SpanStatusCode.ERROR,
          message: redactUrlPasswords(err instanceof Error ? err.message : String(err)).slice(0, 500),
        });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

/** Runs `fn` with `ctx` as the active context (a remote parent from a message); plain call when off. */
export function withContext<T>(ctx: Context | undefined, fn: () => T): T {
  if (!otel || !ctx) return fn();
  return otel.context.with(ctx, fn);
}

/** The trace and span ids of the active span, for log lines; empty when there is none. */
export function activeTraceIds(): { trace_id?: string; span_id?: string } {
  if (!otel) return {};
  const sc = otel.trace.getSpanContext(otel.context.active());
  return sc && otel.trace.isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId } : {};
}

/**
 * `TRACEPARENT` for a child process (a polecat), so the `gt` calls it makes join this trace: the
 * active span's context with tracing on, else `passOn` (the context a message carried). Only
 * ids: nothing of the exporter's configuration (OTEL_EXPORTER_OTLP_HEADERS may hold a key).
 */
export function traceEnv(passOn?: string): Record<string, string> {
  const value = traceparentOf() ?? validTraceparent(passOn);
  return value ? { TRACEPARENT: value } : {};
}

/** The active context (to remember with a write); undefined with tracing off. */
export function activeContext(): Context | undefined {
  return otel?.context.active();
}
