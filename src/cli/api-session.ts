import type { NatsConnection } from '@nats-io/transport-node';
import { callApi, ServiceUnavailable } from '../bus/api-client.ts';
import { connectClient } from '../bus/connection.ts';
import { DEFAULT_SUBJECT_PREFIX } from '../bus/subjects.ts';
import { resolveVerb } from '../commands/catalog.ts';
import { verbName } from '../commands/command.ts';
import { parseWords } from '../commands/syntax.ts';
import type { Actor } from '../domain/actor.ts';
import { refused, usageError } from '../domain/errors.ts';
import type { Reply } from '../domain/reply.ts';
import { discoverCaller } from './discovery.ts';

/**
 * How long a session keeps asking when nobody answers: after a NATS restart the session may be
 * back before the service has re-subscribed (its reconnect is independent), and a watch must not
 * die of that moment.
 */
const UNANSWERED_GRACE_MS = 10_000;
const UNANSWERED_RETRY_MS = 250;

/**
 * One connection to the service for CLI commands that make several calls (`gt convoy watch`,
 * `gt demo`): words in, the reply's data out, exactly as `gt …` / `bd …` would run them.
 */
export class ApiSession {
  readonly nc: NatsConnection;
  readonly prefix: string;
  private readonly actor: Actor;
  private readonly unansweredGraceMs: number;

  private constructor(nc: NatsConnection, prefix: string, actor: Actor, unansweredGraceMs: number) {
    this.nc = nc;
    this.prefix = prefix;
    this.actor = actor;
    this.unansweredGraceMs = unansweredGraceMs;
  }

  static async open(
    natsUrl: string,
    env: NodeJS.ProcessEnv,
    name: string,
    { home, unansweredGraceMs = UNANSWERED_GRACE_MS }: { home?: string; unansweredGraceMs?: number } = {},
  ): Promise<ApiSession> {
    // A session outlives a NATS restart (it reconnects); only the first connect fails fast.
    const caller = discoverCaller(home ? { home } : {}, env);
    const nc = await connectClient(natsUrl, `${name}-${process.pid}`, caller.connectAs, true);
    return new ApiSession(
      nc,
      env.GT_SUBJECT_PREFIX || DEFAULT_SUBJECT_PREFIX,
      caller.actor,
      unansweredGraceMs,
    );
  }

  /** Runs `root words…`; a refusal becomes an error carrying the service's message. */
  async run<T = unknown>(root: 'gt' | 'bd', words: readonly string[]): Promise<T> {
    const resolved = resolveVerb(root, words);
    if (!resolved) throw usageError('unknown_command', `unknown command "${root} ${words.join(' ')}"`);
    const args = parseWords(resolved.rest, resolved.def.syntax, resolved.def.usage);
    const reply = await this.call({
      verb: verbName(resolved.def),
      args,
      actor: this.actor,
    });
    if (!reply.ok) throw refused('command_failed', `${root} ${words.join(' ')}: ${reply.error.message}`);
    return reply.data as T;
  }

  /** One API call; "nobody answers" is retried for the session's grace, then reported. */
  private async call(call: Parameters<typeof callApi>[2]): Promise<Reply> {
    const deadline = Date.now() + this.unansweredGraceMs;
    for (;;) {
      try {
        return await callApi(this.nc, this.prefix, call);
      } catch (err) {
        if (!(err instanceof ServiceUnavailable) || Date.now() >= deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, UNANSWERED_RETRY_MS));
      }
    }
  }

  /** Calls `onEvent` for every ledger event the relay publishes (core subscription, no state left). */
  onEvents(onEvent: () => void): { stop(): void } {
    const sub = this.nc.subscribe(`${this.prefix}.evt.>`, { callback: () => onEvent() });
    return { stop: () => sub.unsubscribe() };
  }

  close(): Promise<void> {
    return this.nc.close();
  }
}
