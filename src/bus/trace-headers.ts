import { headers, type MsgHdrs } from '@nats-io/transport-node';
import type { Context } from '@opentelemetry/api';
import { contextOfTraceparent, traceparentOf, tracingEnabled, validTraceparent } from './tracing.ts';

/** The W3C header name, as HTTP carries it: NATS headers are HTTP-like. */
export const TRACEPARENT_HEADER = 'traceparent';

/**
 * Headers carrying the trace context on to the next hop (an API request, an event, a dispatch),
 * or undefined when there is nothing to carry: a message then goes out exactly as before.
 * With tracing on, the context is the active span's (or `ctx`'s). With it off, `passOn` — a
 * `traceparent` this process was handed (an agent's TRACEPARENT) — still travels, so a polecat's
 * own `gt` calls join the trace even though the agent's CLI runs no tracer.
 */
export function traceHeaders(ctx?: Context, passOn?: string): MsgHdrs | undefined {
  const value = traceparentOf(ctx) ?? validTraceparent(passOn);
  if (!value) return undefined;
  const h = headers();
  h.set(TRACEPARENT_HEADER, value);
  return h;
}

/** The `traceparent` a message carries, if a well-formed one. */
export function traceparentIn(h: MsgHdrs | undefined): string | undefined {
  return validTraceparent(h?.get(TRACEPARENT_HEADER));
}

/** The remote parent a message names; undefined with tracing off or without a header. */
export function contextFromHeaders(h: MsgHdrs | undefined): Context | undefined {
  if (!tracingEnabled() || !h) return undefined;
  return contextOfTraceparent(h.get(TRACEPARENT_HEADER));
}
