import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { z } from 'zod';
import type { Actor } from '../domain/actor.ts';
import { refused, usageError } from '../domain/errors.ts';
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

/** The request envelope on `gt.api.<verb>` and `gt.as.<identity>.<verb>`. Anything else gets a clear `malformed_request` reply. */
const Envelope = z.object({
  args: z.unknown().optional(),
  actor: z.object({
    kind: z.enum(['human', 'agent', 'system']),
    id: z.string().min(1).max(200),
  }),
  source: z.string().max(50).optional(),
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
        void answer(msg, prefix, execute, nc.info?.max_payload ?? 1024 * 1024, onFault);
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
      `the answer is ${mib(size)}, more than NATS carries in one message (${mib(max)}); narrow it (--rig, --status, --label, --limit) or raise max_payload on the NATS server`,
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
  const { args, actor, source } = parsed.data;
  if (!msg.subject.startsWith(`${prefix}.as.`))
    return execute({ verb: verbFromApiSubject(prefix, msg.subject), args, actor, source: source ?? 'api' });
  const caller = parseIdentifiedSubject(prefix, msg.subject);
  if (!caller)
    return failure(
      usageError(
        'malformed_request',
        `${msg.subject} names no caller; use <prefix>.as.agent.<rig>.<name>.<verb>`,
      ),
    );
  const refusal = identifiedRefusal(caller.identity, actor, caller.verb, args);
  if (refusal) return failure(refusal);
  return execute({ verb: caller.verb, args, actor: actorOf(caller.identity), source: source ?? 'api' });
}

/** What a rig runner may ask: the rig list and the hooks of its own rig's polecats. */
const RUNNER_VERBS = new Set(['gt rig list', 'gt hook']);

/**
 * A request on an identified subject speaks for that identity only: the envelope may not claim
 * someone else, and a runner asks only what running its rig needs.
 */
function identifiedRefusal(identity: Identity, claimed: Actor, verb: string, args: unknown): Error | null {
  const actor = actorOf(identity);
  if (claimed.kind !== actor.kind || claimed.id !== actor.id)
    return refused(
      'identity_mismatch',
      `this request travels as ${actor.kind} ${actor.id} but claims ${claimed.kind} ${claimed.id}; send it on the subject of ${claimed.id} with its credentials`,
    );
  if (identity.kind !== 'runner') return null;
  const agent = (args as { agent?: unknown } | undefined)?.agent;
  if (!RUNNER_VERBS.has(verb) || (verb === 'gt hook' && !String(agent).startsWith(`${identity.rig}/`)))
    return refused(
      'forbidden',
      `the runner of ${identity.rig} may only list rigs and read the hooks of ${identity.rig}'s polecats`,
    );
  return null;
}
