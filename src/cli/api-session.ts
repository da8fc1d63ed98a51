import type { NatsConnection } from '@nats-io/transport-node';
import { callApi, isTimeout, ServiceUnavailable } from '../bus/api-client.ts';
import { connectClient } from '../bus/connection.ts';
import { DEFAULT_SUBJECT_PREFIX, STREAM_SUBJECTS } from '../bus/subjects.ts';
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
 * How long a write waits for its answer. A read asked while the server died is lost with it and
 * would wait that long too (a watch froze for 30 s after a NATS restart); reads change nothing,
 * so they are asked again after a sixth of it, for as long as a write would have waited.
 */
const ANSWER_TIMEOUT_MS = 30_000;

interface SessionOptions {
  home?: string;
  unansweredGraceMs?: number;
  answerTimeoutMs?: number;
}

/**
 * One connection to the service for CLI commands that make several calls (`gt convoy watch`,
 * `gt demo`): words in, the reply's data out, exactly as `gt …` / `bd …` would run them.
 */
export class ApiSession {
  readonly nc: NatsConnection;
  readonly prefix: string;
  private readonly actor: Actor;
  private readonly unansweredGraceMs: number;
  private readonly answerTimeoutMs: number;

  private constructor(
    nc: NatsConnection,
    prefix: string,
    actor: Actor,
    o: Required<Omit<SessionOptions, 'home'>>,
  ) {
    this.nc = nc;
    this.prefix = prefix;
    this.actor = actor;
    this.unansweredGraceMs = o.unansweredGraceMs;
    this.answerTimeoutMs = o.answerTimeoutMs;
  }

  static async open(
    natsUrl: string,
    env: NodeJS.ProcessEnv,
    name: string,
    {
      home,
      unansweredGraceMs = UNANSWERED_GRACE_MS,
      answerTimeoutMs = ANSWER_TIMEOUT_MS,
    }: SessionOptions = {},
  ): Promise<ApiSession> {
    // A session outlives a NATS restart (it reconnects); only the first connect fails fast.
    const caller = discoverCaller(home ? { home } : {}, env);
    const nc = await connectClient(natsUrl, `${name}-${process.pid}`, caller.connectAs, true);
    return new ApiSession(nc, env.GT_SUBJECT_PREFIX || DEFAULT_SUBJECT_PREFIX, caller.actor, {
      unansweredGraceMs,
      answerTimeoutMs,
    });
  }

  /** Runs `root words…`; a refusal becomes an error carrying the service's message. */
  async run<T = unknown>(root: 'gt' | 'bd', words: readonly string[]): Promise<T> {
    const resolved = resolveVerb(root, words);
    if (!resolved) throw usageError('unknown_command', `unknown command "${root} ${words.join(' ')}"`);
    const args = parseWords(resolved.rest, resolved.def.syntax, resolved.def.usage);
    const reply = await this.call(
      { verb: verbName(resolved.def), args, actor: this.actor },
      resolved.def.mutates,
    );
    if (!reply.ok) throw refused('command_failed', `${root} ${words.join(' ')}: ${reply.error.message}`);
    return reply.data as T;
  }

  /**
   * One API call; "nobody answers" is retried for the session's grace, a read without an answer
   * until a write would have given up; then reported. A write is never sent twice.
   */
  private async call(call: Parameters<typeof callApi>[2], mutates: boolean): Promise<Reply> {
    const started = Date.now();
    for (;;) {
      try {
        const timeout = mutates ? this.answerTimeoutMs : this.answerTimeoutMs / 6;
        return await callApi(this.nc, this.prefix, call, timeout);
      } catch (err) {
        const elapsed = Date.now() - started;
        const unanswered = err instanceof ServiceUnavailable && elapsed < this.unansweredGraceMs;
        const lostRead = !mutates && isTimeout(err) && elapsed < this.answerTimeoutMs;
        if (!unanswered && !lostRead) throw err;
        if (unanswered) await new Promise((resolve) => setTimeout(resolve, UNANSWERED_RETRY_MS));
      }
    }
  }

  /** Calls `onEvent` for every ledger event the relay publishes (core subscription, no state left). */
  onEvents(onEvent: () => void): { stop(): void } {
    const sub = this.nc.subscribe(STREAM_SUBJECTS.events(this.prefix), { callback: () => onEvent() });
    return { stop: () => sub.unsubscribe() };
  }

  close(): Promise<void> {
    return this.nc.close();
  }
}
