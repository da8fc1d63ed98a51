import { isNatsOutage } from '../bus/outage.ts';
import { inSpan } from '../bus/tracing.ts';
import { rememberWrite } from '../bus/write-traces.ts';
import { accessOf } from '../domain/access-matrix.ts';
import { authorize, mayEverRun, type Principal, principalOf, scopeMatters } from '../domain/authorization.ts';
import { DomainError, refused, usageError } from '../domain/errors.ts';
import { mailAddressesOf } from '../domain/people.ts';
import { allowsAnywhere, type Permission } from '../domain/permissions.ts';
import { type ChatPrincipal, EMPTY_POLICY, type Policy } from '../domain/policy.ts';
import { failure, type Invocation, type Reply, unavailable } from '../domain/reply.ts';
import { scopeResolver } from './access/scopes.ts';
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

  /** One span per command (a child of the caller's trace, when the request carried one). */
  execute(call: Invocation): Promise<Reply> {
    const attributes = { 'gt.verb': call.verb, 'gt.source': call.source, 'gt.actor': call.actor.id };
    return inSpan(call.verb, { kind: 'server', attributes }, async (span) => {
      const reply = await this.run(call);
      span?.setAttribute('gt.outcome', outcomeOf(reply));
      return reply;
    });
  }

  private async run(call: Invocation): Promise<Reply> {
    const def = this.verbs.get(call.verb);
    if (!def) {
      return failure(
        usageError('unknown_command', `unknown command ${JSON.stringify(call.verb)}; run \`gt help\``),
      );
    }
    const who = principalOf(call.actor, this.policy);
    const ctx = this.context(call, who);
    const started = performance.now();
    let reply: Reply;
    let checked: Args | undefined;
    try {
      const args = checkArgs(call.args, def.syntax, def.usage);
      checked = args;
      await this.authorize(ctx, who, call.verb, args);
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
    this.services.observe?.(call.verb, outcomeOf(reply), call.source, seconds);
    // Changes are audited whatever their outcome, and so is every refusal of the policy (reads too).
    const forbidden = !reply.ok && reply.error.code === 'forbidden';
    if ((def.mutates || forbidden) && !(!reply.ok && reply.error.kind === 'unavailable')) {
      await this.audit(call, reply, checked, def.unaudited ?? []);
      if (reply.ok && def.mutates) await this.services.onWrite?.(call.verb);
    }
    return reply;
  }

  /**
   * The one policy (domain/access-matrix.ts, domain/authorization.ts) for every actor and every
   * interface: what the verb needs, from whom, in the rigs of what it touches.
   */
  private async authorize(ctx: CommandContext, who: Principal, verb: string, args: Args): Promise<void> {
    const access = accessOf(verb);
    if (!access) throw refused('forbidden', `not allowed: ${verb} has no access rule`);
    const scope = scopeMatters(access, who)
      ? await scopeResolver(verb)({
          args,
          ledger: this.services.ledger,
          actor: ctx.actor,
          who,
          mailAddresses: ctx.mailAddresses,
        })
      : null;
    const denial = authorize(verb, access, who, scope, this.policy);
    if (denial === null) return;
    const hint = who.kind === 'person' ? '; ask an admin to grant it in the policy file' : '';
    throw refused('forbidden', `not allowed: ${denial}${hint}`);
  }

  /** The verbs a chat principal may run somewhere (what chat `help` lists). */
  verbsFor(principal: ChatPrincipal): CommandDef[] {
    const who = principalOf({ kind: 'human', id: principal.user, principal }, this.policy);
    return [...this.verbs.values()].filter((def) => {
      const access = accessOf(verbName(def));
      return access !== undefined && mayEverRun(access, who);
    });
  }

  /** The policy file in force; without one, the built-in policy (docs/security.md). */
  private get policy(): Policy {
    return this.services.policy ?? EMPTY_POLICY;
  }

  /** NATS or the ledger says the error was an outage, or the ledger does not answer now. */
  private isOutage(err: unknown): Promise<boolean> {
    if (isNatsOutage(err) || this.services.ledger.isUnavailableError(err)) return Promise.resolve(true);
    return this.services.ledger.ping().then(
      () => false,
      () => true,
    );
  }

  private context(call: Invocation, who: Principal): CommandContext {
    const services = this.services;
    return {
      actor: call.actor,
      source: call.source,
      services,
      may: (permission: Permission) => holds(who, permission),
      mailAddresses: mailAddressesOf(call.actor, this.policy.people),
      // Remembered with the active trace: the relay gives this write's events the same context.
      write: () => rememberWrite({ actor: call.actor.id, now: services.now() }),
    };
  }

  private async audit(
    call: Invocation,
    reply: Reply,
    checked: Args | undefined,
    unaudited: readonly string[],
  ): Promise<void> {
    const record = {
      at: this.services.now().toISOString(),
      actor: call.actor.id,
      actor_kind: call.actor.kind,
      source: call.via ? `${call.source}:${call.via}` : call.source,
      verb: call.verb,
      // Arguments that failed the check can be anything a caller sent (nested 10,000 deep, 8 MiB,
      // `$`-keys): the audit keeps a short preview of them, never the value itself.
      args: checked
        ? auditArgs(checked, unaudited)
        : { unchecked: unaudited.length ? '(withheld)' : preview(call.args) },
      outcome: outcomeOf(reply),
    };
    await this.services.ledger.appendAudit(reply.ok ? record : { ...record, message: reply.error.message });
  }
}

/** What the principal holds anywhere: the service's jobs all, runners nothing role-based. */
function holds(who: Principal, permission: Permission): boolean {
  if (who.kind === 'system') return true;
  if (who.kind === 'runner') return false;
  return allowsAnywhere(who.roles, permission);
}

const MAX_AUDITED_TEXT = 2_000;

/**
 * The arguments as the audit keeps them: without the withheld ones, and a long text (a plan's
 * graph, up to megabytes) shortened to its start and its length — the record says what was
 * done, the ledger holds what it made.
 */
function auditArgs(args: Args, withheld: readonly string[]): Args {
  const shorten = (v: Args[string]) =>
    typeof v === 'string' && v.length > MAX_AUDITED_TEXT ? `${v.slice(0, 500)}… (${v.length} characters)` : v;
  return Object.fromEntries(
    Object.entries(args)
      .filter(([k]) => !withheld.includes(k))
      .map(([k, v]) => [k, shorten(v)]),
  ) as Args;
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
