import { type NatsConnection, RequestError, TimeoutError } from '@nats-io/transport-node';
import type { Actor } from '../domain/actor.ts';
import type { Reply } from '../domain/reply.ts';
import { apiSubject, identifiedApiSubject, identityOf } from './subjects.ts';
import { traceHeaders } from './trace-headers.ts';
import { contextOfTraceparent, inSpan } from './tracing.ts';

/** Raised when no service answers: the CLI maps it to exit code 3. */
export class ServiceUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceUnavailable';
  }
}

/** No answer in time: the request, or its reply, may have been lost (a server restarting). */
export const isTimeout = (err: unknown): boolean =>
  err instanceof TimeoutError || (err instanceof RequestError && err.cause instanceof TimeoutError);

/**
 * Calls one verb of the command layer and returns its Reply. `traceparent`: the trace this call
 * belongs to when the caller was handed one (an agent's TRACEPARENT); the request carries it in
 * its headers, so the service's spans join that trace even when no tracer runs here.
 */
export function callApi(
  nc: NatsConnection,
  prefix: string,
  call: { verb: string; args: unknown; actor: Actor; traceparent?: string | undefined },
  timeoutMs = 30_000,
): Promise<Reply> {
  return inSpan(
    call.verb,
    { kind: 'client', parent: contextOfTraceparent(call.traceparent), attributes: { 'gt.verb': call.verb } },
    () => request(nc, prefix, call, timeoutMs),
  );
}

async function request(
  nc: NatsConnection,
  prefix: string,
  call: { verb: string; args: unknown; actor: Actor; traceparent?: string | undefined },
  timeoutMs: number,
): Promise<Reply> {
  // No `source`: the service tells how a request arrived from the subject it came on.
  const body = JSON.stringify({ args: call.args, actor: call.actor });
  try {
    // Agents and runners speak on their own subjects (what NATS authorization confines them to).
    const identity = identityOf(call.actor);
    const subject = identity
      ? identifiedApiSubject(prefix, identity, call.verb)
      : apiSubject(prefix, call.verb);
    const headers = traceHeaders(undefined, call.traceparent);
    const msg = await nc.request(subject, body, { timeout: timeoutMs, ...(headers && { headers }) });
    return msg.json<Reply>();
  } catch (err) {
    if (err instanceof RequestError && err.isNoResponders()) {
      throw new ServiceUnavailable(
        'no gastown-ops service is answering on this NATS server; start it with `gt up`',
      );
    }
    throw err;
  }
}
