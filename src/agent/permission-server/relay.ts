import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import { callApi, isTimeout, ServiceUnavailable } from '../../bus/api-client.ts';
import { connectClient } from '../../bus/connection.ts';
import { DEFAULT_SUBJECT_PREFIX } from '../../bus/subjects.ts';
import { discoverCaller, discoverNatsUrl } from '../../cli/discovery.ts';
import type { ApprovalAnswer } from '../../commands/gt/approval-record.ts';
import type { Actor } from '../../domain/actor.ts';
import { MAX_WAIT_S } from '../../domain/approval.ts';
import { boundedInput } from '../../domain/approval-call.ts';
import { allow, deny, type PermissionDecision, type ToolCall } from './reply.ts';

export interface RelayConfig {
  /** The agent's environment: its identity and its own NATS login (GT_AGENT, GT_NATS_USER, …). */
  env: NodeJS.ProcessEnv;
  /** How long the agent waits for a person before it is told no (GT_APPROVAL_TIMEOUT). */
  timeoutS: number;
  log: (line: string) => void;
}

/** A call that may succeed when repeated: nobody answered, the answer was lost, the ledger is down. */
class Transient extends Error {}
/** The town answered no to the relay itself (not a person's decision): said to the agent as is. */
class Refusal extends Error {}

const RETRY_MS = 500;
/** How long giving up (`gt approval expire`) may take once the deadline passed. */
const EXPIRE_GRACE_MS = 30_000;
const ANSWER_TIMEOUT_MS = 30_000;
const TOOL_USE_ID = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * Forwards one permission request to the service and waits for the answer, as the agent itself:
 * its own NATS login (GT_NATS_USER/GT_NATS_PASSWORD, the slot's), so the service knows who asks
 * from the connection, never from what the request says. The request is recorded first
 * (`gt approval request`, idempotent by the call's id, so a lost reply is simply asked again);
 * then `gt approval wait` holds each answer up to MAX_WAIT_S, well inside a NATS request's
 * timeout, until a person or a rule decides; at the deadline `gt approval expire` closes it — a
 * decision that raced in just before stands. A restart of the service or of NATS costs retries,
 * never the request: it is in the ledger once acknowledged.
 */
export class ApprovalRelay {
  private readonly c: RelayConfig;
  private readonly actor: Actor;
  private readonly prefix: string;
  private nc: Promise<NatsConnection> | null = null;

  constructor(config: RelayConfig) {
    this.c = config;
    this.actor = discoverCaller({}, config.env).actor;
    this.prefix = config.env.GT_SUBJECT_PREFIX || DEFAULT_SUBJECT_PREFIX;
  }

  async decide(call: ToolCall, signal: AbortSignal): Promise<PermissionDecision> {
    const bead = this.c.env.GT_BEAD;
    if (!bead)
      return deny('This agent has no hooked bead (GT_BEAD is not set), so nobody can be asked; denied.');
    const deadline = Date.now() + this.c.timeoutS * 1000;
    const shown = boundedInput(call.input);
    // Our own id when the CLI sent none: a retry of the request must find the same one.
    const toolUseId =
      call.tool_use_id && TOOL_USE_ID.test(call.tool_use_id)
        ? call.tool_use_id
        : `gt_${randomUUID().replaceAll('-', '')}`;
    let answer: ApprovalAnswer;
    try {
      answer = await this.retrying(deadline, () =>
        this.ask('gt approval request', {
          bead,
          tool: call.tool_name,
          input: JSON.stringify(shown.input),
          'tool-use-id': toolUseId,
          'timeout-s': String(this.c.timeoutS),
          ...(shown.truncated && { truncated: true }),
        }),
      );
    } catch (err) {
      if (err instanceof Refusal)
        return deny(`The town refused to relay this permission request: ${err.message}`);
      return deny(
        `The town could not be reached within ${this.c.timeoutS} s, so this permission request is denied.`,
      );
    }
    while (answer.state === 'pending' && answer.id !== null) {
      const id = answer.id;
      const left = deadline - Date.now();
      if (signal.aborted || left <= 0) {
        answer = await this.giveUp(id);
        break;
      }
      const waitS = Math.min(MAX_WAIT_S, Math.ceil(left / 1000));
      try {
        answer = await this.retrying(deadline, () =>
          this.ask('gt approval wait', { id, 'wait-s': String(waitS) }, (waitS + 5) * 1000),
        );
      } catch (err) {
        if (err instanceof Refusal) return deny(`The permission request ${id} is gone: ${err.message}`);
        // The deadline passed while the town was out of reach: give up below.
      }
    }
    if (answer.state === 'allow') {
      this.c.log(`${call.tool_name} allowed (${answer.id ?? answer.rule}): ${answer.message}`);
      return allow(call.input);
    }
    return deny(answer.message ?? 'Denied.');
  }

  /** The deadline passed (or the call was cancelled): the request is closed as unanswered. */
  private async giveUp(id: string): Promise<ApprovalAnswer> {
    const timedOut: ApprovalAnswer = {
      id,
      state: 'deny',
      decision: 'timeout',
      message: `No person answered this permission request within ${this.c.timeoutS} s, so it is denied. Do not retry the same call at once: continue without it, or finish with gt done --status escalated and say what you needed.`,
      rule: null,
      deadline: null,
    };
    try {
      return await this.retrying(Date.now() + EXPIRE_GRACE_MS, () => this.ask('gt approval expire', { id }));
    } catch {
      // Unreachable: the agent is told no all the same; the witness closes the request later.
      return timedOut;
    }
  }

  /** Runs `attempt` until it answers, a refusal, or `until` passes (then its last failure). */
  private async retrying<T>(until: number, attempt: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof Transient) || Date.now() + RETRY_MS > until) throw err;
        this.c.log(`retrying: ${err.message}`);
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }

  private async ask(
    verb: string,
    args: Record<string, string | boolean>,
    timeoutMs = ANSWER_TIMEOUT_MS,
  ): Promise<ApprovalAnswer> {
    let nc: NatsConnection;
    try {
      nc = await this.connection();
    } catch (err) {
      this.nc = null;
      throw new Transient(`cannot connect to NATS: ${(err as Error).message}`);
    }
    try {
      // The polecat's trace (TRACEPARENT, set by its runner): the request joins it.
      const call = { verb, args, actor: this.actor, traceparent: process.env.TRACEPARENT };
      const reply = await callApi(nc, this.prefix, call, timeoutMs);
      if (reply.ok) return reply.data as ApprovalAnswer;
      if (reply.error.kind === 'unavailable') throw new Transient(reply.error.message);
      throw new Refusal(reply.error.message);
    } catch (err) {
      if (err instanceof Transient || err instanceof Refusal) throw err;
      if (err instanceof ServiceUnavailable || isTimeout(err)) throw new Transient((err as Error).message);
      throw new Transient(`${verb}: ${(err as Error).message}`);
    }
  }

  /** One connection for the agent's whole session, opened at its first request (and again after a failed start). */
  private connection(): Promise<NatsConnection> {
    if (!this.nc) {
      const { connectAs } = discoverCaller({}, this.c.env);
      this.nc = connectClient(discoverNatsUrl({}, this.c.env), `gt-approve-${process.pid}`, connectAs, true);
    }
    return this.nc;
  }

  async close(): Promise<void> {
    const nc = await this.nc?.catch(() => null);
    await nc?.close();
  }
}
