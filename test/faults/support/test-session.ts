import type { NatsConnection } from '@nats-io/transport-node';
import { callApi, ServiceUnavailable } from '../../../src/bus/api-client.ts';
import { connectService } from '../../../src/bus/connection.ts';
import { resolveVerb } from '../../../src/commands/catalog.ts';
import { verbName } from '../../../src/commands/command.ts';
import { parseWords } from '../../../src/commands/syntax.ts';
import type { Actor } from '../../../src/domain/actor.ts';

/**
 * The test's own line to the command layer: `gt`/`bd` words → one API call, like ApiSession,
 * but on a service-style connection that reconnects forever (ApiSession's CLI connection gives
 * up when NATS restarts, and the test must outlive NATS restarts).
 */
export class TestSession {
  readonly nc: NatsConnection;
  private readonly actor: Actor = { kind: 'human', id: 'e2e-user' };

  private constructor(nc: NatsConnection) {
    this.nc = nc;
  }

  static async open(natsUrl: string): Promise<TestSession> {
    return new TestSession(await connectService(natsUrl, `fault-test-${process.pid}`));
  }

  /** Runs `root words…` and returns the reply's data; a refusal throws with the service's message. */
  async run<T = unknown>(root: 'gt' | 'bd', words: readonly string[], timeoutMs = 30_000): Promise<T> {
    const resolved = resolveVerb(root, words);
    if (!resolved) throw new Error(`unknown command "${root} ${words.join(' ')}"`);
    const args = parseWords(resolved.rest, resolved.def.syntax, resolved.def.usage);
    const call = { verb: verbName(resolved.def), args, actor: this.actor };
    const reply = await callApi(this.nc, 'gt', call, timeoutMs).catch((err: Error) => {
      // A write whose answer never came may have been applied: retrying it blindly could apply
      // it twice (the test would then blame the service for its own retry).
      if (resolved.def.mutates && !(err instanceof ServiceUnavailable))
        throw new MaybeApplied(
          `${root} ${words.join(' ')}: no answer (${err.message}); it may have been applied`,
        );
      throw err;
    });
    if (!reply.ok) throw new Refused(`${root} ${words.join(' ')}: ${reply.error.message}`);
    return reply.data as T;
  }

  close(): Promise<void> {
    return this.nc.close();
  }
}

/** The service answered and said no: never retried. */
export class Refused extends Error {}

/** A write sent but not answered (the service died or stalled): never retried. */
export class MaybeApplied extends Error {}
