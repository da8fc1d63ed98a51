import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { z } from 'zod';
import type { Actor } from '../domain/actor.ts';
import { refused, usageError } from '../domain/errors.ts';
import { FULL_OPERATOR } from '../domain/policy.ts';
import { failure, type Invocation, type Reply } from '../domain/reply.ts';
import {
  API_QUEUE,
  actorOf,
  apiWildcard,
  type Identity,
  identifiedApiWildcard,
  parseIdentifiedSubject,
  verbFromApiSubject,
} from './subjects.ts';
import { contextFromHeaders } from './trace-headers.ts';
import { withContext } from './tracing.ts';

/** The request envelope on `gt.api.<verb>` and `gt.as.<identity>.<verb>`. Anything else gets a clear `malformed_request` reply. */
const Envelope = z.object({
  args: z.unknown().optional(),
  actor: z.object({
    kind: z.enum(['human', 'agent', 'system']),
    id: z.string().min(1).max(200),
  }),
  // Older clients send where they think they are; the service decides that from the subject.
  source: z.unknown().optional(),
});

export type Execute = (call: Invocation) => Promise<Reply>;

/**
 * Serves the command layer over NATS request/reply. Every replica joins one queue group, so each
 * request is answered once. Requests are handled concurrently; ordering between requests of
 * different clients is not promised (each write is atomic in the ledger anyway).
 */
export function serveApi(
  nc: NatsConnection,
  prefix: string,
  execute: Execute,
  onFault: (err: unknown) => void = () => {},
): { drain(): Promise<void> } {
  const serve = (subject: string) =>
    nc.subscribe(subject, {
      queue: API_QUEUE,
      callback: (err, msg) => {
        if (err) return;
        // The caller's trace (its `traceparent` header) is the parent of the command's span.
        withContext(contextFromHeaders(msg.headers), () => {
          void answer(msg, prefix, execute, nc.info?.max_payload ?? 1024 * 1024, onFault);
        });
      },
    });
  const subscriptions: Subscription[] = [serve(apiWildcard(prefix)), serve(identifiedApiWildcard(prefix))];
  return { drain: async () => void (await Promise.all(subscriptions.map((s) => s.drain()))) };
}

async function answer(
  msg: Msg,
  prefix: string,
  execute: Execute,
  maxPayload: number,
  onFault: (err: unknown) => void,
): Promise<void> {
  let reply: Reply;
  try {
    reply = await handle(msg, prefix, execute);
  } catch (err) {
    // The command layer answers every refusal itself; reaching here is a fault below it (the
    // ledger unreachable mid-write). The caller hears so at once instead of waiting out its timeout.
    onFault(err);
    reply = failure(err);
  }
  if (!msg.reply) return;
  const body = JSON.stringify(reply);
  const size = Buffer.byteLength(body);
  // Over the server's max_payload the reply could not be sent at all: the caller would wait for
  // its timeout and blame the network. Say what happened instead (the command itself ran).
  msg.respond(size <= maxPayload ? body : JSON.stringify(tooLarge(size, maxPayload)));
}

function tooLarge(size: number, max: number): Reply {
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  return failure(
    refused(
      'reply_too_large',
      `the answer is ${mib(size)}, more than NATS carries in one message (${mib(max)}); narrow it (see the command's --help; bd list takes --rig, --status, --label, and pages with --limit N --after <last id>) or raise max_payload on the NATS server`,
    ),
  );
}

async function handle(msg: Msg, prefix: string, execute: Execute): Promise<Reply> {
  let body: unknown;
  try {
    body = JSON.parse(msg.string());
  } catch {
    return failure(
      usageError('malformed_request', 'request body is not JSON; send {"args":{…},"actor":{"kind","id"}}'),
    );
  }
  const parsed = Envelope.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    return failure(usageError('malformed_request', `bad request envelope (${problems})`));
  }
  const { args, actor } = parsed.data;
  if (!msg.subject.startsWith(`${prefix}.as.`)) {
    const verb = verbFromApiSubject(prefix, msg.subject);
    const call = trustedCall(verb, args, actor);
    return call instanceof Error ? failure(call) : execute(call);
  }
  const caller = parseIdentifiedSubject(prefix, msg.subject);
  if (!caller)
    return failure(
      usageError(
        'malformed_request',
        `${msg.subject} names no caller; use <prefix>.as.agent.<rig>.<name>.<verb>`,
      ),
    );
  const refusal = identityMismatch(caller.identity, actor);
  if (refusal) return failure(refusal);
  return execute({ verb: caller.verb, args, ...arrivedAs(caller.identity) });
}

/**
 * A request on the plain `<prefix>.api.<verb>` subject comes from a user that may publish
 * anywhere — the service's own or the town's full operator (or anyone, with NATS authorization
 * off). Such a caller could speak on any identity's subject anyway, so the name it gives is
 * taken as its display name; what it may do is the full operator's, or the agent's it claims.
 */
function trustedCall(verb: string, args: unknown, claimed: Actor): Invocation | Error {
  if (claimed.kind === 'agent')
    return { verb, args, actor: { kind: 'agent', id: claimed.id }, source: 'agent' };
  if (claimed.kind === 'human')
    return {
      verb,
      args,
      actor: { kind: 'human', id: claimed.id, operator: FULL_OPERATOR },
      source: 'cli',
      via: FULL_OPERATOR,
    };
  return refused(
    'identity_mismatch',
    'system actors run inside the service; call as a person (GT_ACTOR) or an agent (GT_AGENT)',
  );
}

/** Who an identified subject speaks for, and how that request arrived (for audit and metrics). */
function arrivedAs(identity: Identity): Pick<Invocation, 'actor' | 'source' | 'via'> {
  const actor = actorOf(identity);
  if (identity.kind === 'operator') return { actor, source: 'cli', via: identity.name };
  return { actor, source: identity.kind === 'runner' ? 'system' : 'agent' };
}

/** A request on an identified subject speaks for that identity only: the envelope may not claim someone else. */
function identityMismatch(identity: Identity, claimed: Actor): Error | null {
  const actor = actorOf(identity);
  if (claimed.kind === actor.kind && claimed.id === actor.id) return null;
  return refused(
    'identity_mismatch',
    `this request travels as ${actor.kind} ${actor.id} but claims ${claimed.kind} ${claimed.id}; send it on the subject of ${claimed.id} with its credentials`,
  );
}
