import { isAllowed } from '../domain/actor.ts';
import { DomainError, refused, usageError } from '../domain/errors.ts';
import { authorize, type ChatPrincipal, EMPTY_POLICY, mayEver } from '../domain/policy.ts';
import { failure, type Invocation, type Reply, unavailable } from '../domain/reply.ts';
import { chatNeed, chatPermissionOf } from './chat-rules.ts';
import type { CommandContext, CommandDef, CommandServices } from './command.ts';
import { verbName } from './command.ts';
import { type Args, checkArgs } from './syntax.ts';

/**
 * The one command layer: parse → authorize → execute → audit. Every interface (CLI over NATS,
 * chat, HTTP) calls `execute`, so rules and audit cannot differ between them.
 */
export class CommandRegistry {
  private readonly verbs = new Map<string, CommandDef>();
  private readonly services: CommandServices;
  private readonly onUnexpected: (err: unknown, verb: string) => void;

  constructor(
    services: CommandServices,
    defs: readonly CommandDef[],
    onUnexpected: (err: unknown, verb: string) => void,
  ) {
    this.services = services;
    this.onUnexpected = onUnexpected;
    for (const def of defs) this.verbs.set(verbName(def), def);
  }

  get(verb: string): CommandDef | undefined {
    return this.verbs.get(verb);
  }

  async execute(call: Invocation): Promise<Reply> {
    const def = this.verbs.get(call.verb);
    if (!def) {
      return failure(
        usageError('unknown_command', `unknown command ${JSON.stringify(call.verb)}; run \`gt help\``),
      );
    }
    const ctx = this.context(call);
    const started = performance.now();
    let reply: Reply;
    let checked: Args | undefined;
    try {
      const args = checkArgs(call.args, def.syntax, def.usage);
      checked = args;
      if (!isAllowed(call.actor, def.permission)) {
        throw refused(
          'forbidden',
          `${call.actor.kind} ${call.actor.id} may not run ${call.verb} (needs ${def.permission})`,
        );
      }
      if (call.actor.principal) await this.authorizeChat(call, def, args);
      const result = await def.run(args, ctx);
      reply = result.errors?.length
        ? { ok: true, data: result.data, errors: result.errors }
        : { ok: true, data: result.data };
    } catch (err) {
      if (!(err instanceof DomainError)) this.onUnexpected(err, call.verb);
      // An unexpected failure while the ledger is down is the outage, not a bug: say "retry"
      // (exit 3, like a service that is not there) instead of a final "internal error".
      reply = err instanceof DomainError || !(await this.isOutage(err)) ? failure(err) : unavailable();
    }
    const seconds = (performance.now() - started) / 1000;
    this.services.observe?.(call.verb, outcomeOf(reply), call.source.split(':')[0] ?? call.source, seconds);
    if (def.mutates && !(!reply.ok && reply.error.kind === 'unavailable')) {
      await this.audit(call, reply, checked);
      if (reply.ok) await this.services.onWrite?.(call.verb);
    }
    return reply;
  }

  /** A chat principal is checked against the policy file, per rig (chat-rules.ts says what a verb needs). */
  private async authorizeChat(call: Invocation, def: CommandDef, args: Args): Promise<void> {
    const principal = call.actor.principal as ChatPrincipal;
    const policy = this.services.policy ?? EMPTY_POLICY;
    const need = await chatNeed(call.verb, def.permission, args, this.services);
    const missing =
      'anywhere' in need
        ? mayEver(policy, principal, need.permission)
          ? null
          : need.permission
        : authorize(policy, principal, need);
    if (missing)
      throw refused(
        'forbidden',
        `${principal.name ?? call.actor.id} may not run ${call.verb}: it needs ${missing}; ask an admin to grant it in the policy file`,
      );
  }

  /** The verbs a chat principal may run somewhere (what chat `help` lists). */
  verbsFor(principal: ChatPrincipal): CommandDef[] {
    const policy = this.services.policy ?? EMPTY_POLICY;
    return [...this.verbs.values()].filter((def) =>
      mayEver(policy, principal, chatPermissionOf(verbName(def), def.permission)),
    );
  }

  /** The ledger says the error was an outage, or it does not answer now. */
  private isOutage(err: unknown): Promise<boolean> {
    if (this.services.ledger.isUnavailableError(err)) return Promise.resolve(true);
    return this.services.ledger.ping().then(
      () => false,
      () => true,
    );
  }

  private context(call: Invocation): CommandContext {
    const services = this.services;
    return {
      actor: call.actor,
      source: call.source,
      services,
      write: () => ({ actor: call.actor.id, now: services.now() }),
    };
  }

  private async audit(call: Invocation, reply: Reply, checked: Args | undefined): Promise<void> {
    const record = {
      at: this.services.now().toISOString(),
      actor: call.actor.id,
      actor_kind: call.actor.kind,
      source: call.source,
      verb: call.verb,
      // Arguments that failed the check can be anything a caller sent (nested 10,000 deep, 8 MiB,
      // `$`-keys): the audit keeps a short preview of them, never the value itself.
      args: checked ?? { unchecked: preview(call.args) },
      outcome: outcomeOf(reply),
    };
    await this.services.ledger.appendAudit(reply.ok ? record : { ...record, message: reply.error.message });
  }
}

const outcomeOf = (reply: Reply): 'ok' | 'refused' | 'error' =>
  reply.ok
    ? 'ok'
    : reply.error.kind === 'internal' || reply.error.kind === 'unavailable'
      ? 'error'
      : 'refused';

/** At most 500 characters of what a caller sent, whatever it is. */
function preview(raw: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(raw) ?? String(raw);
  } catch {
    text = '(not representable as JSON)';
  }
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
