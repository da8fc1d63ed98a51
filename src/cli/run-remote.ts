import type { NatsConnection } from '@nats-io/transport-node';
import { startTracing } from '../app/tracing.ts';
import { callApi, ServiceUnavailable } from '../bus/api-client.ts';
import { connectClient } from '../bus/connection.ts';
import { DEFAULT_SUBJECT_PREFIX } from '../bus/subjects.ts';
import { resolveVerb } from '../commands/catalog.ts';
import type { CommandDef } from '../commands/command.ts';
import { verbName } from '../commands/command.ts';
import { parseWords } from '../commands/syntax.ts';
import { DomainError } from '../domain/errors.ts';
import { redactUrlPasswords } from '../domain/redact-url.ts';
import type { Reply } from '../domain/reply.ts';
import { discoverCaller, discoverNatsUrl, NoServiceAddress } from './discovery.ts';
import { type GlobalFlags, splitGlobalFlags } from './global-flags.ts';
import { groupHelp, rootHelp, verbHelp } from './help.ts';
import { EXIT, type Output } from './output.ts';

type LocalVerb = { usage: string; summary: string };

/**
 * The CLI's whole job for a served verb: words → arguments (locally, so usage errors need no
 * service) → one API call → render. It decides nothing; the command layer does.
 */
export async function runRemote(
  root: 'gt' | 'bd',
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: Output,
  localVerbs: readonly LocalVerb[] = [],
): Promise<number> {
  let flags: GlobalFlags;
  let words: string[];
  try {
    ({ flags, words } = splitGlobalFlags(argv));
  } catch (err) {
    return usageFailure(io, err);
  }
  if (words.length === 0 || words[0] === 'help') {
    io.out(rootHelp(root, localVerbs));
    return words.length === 0 && !flags.help ? EXIT.usage : EXIT.ok;
  }
  const resolved = resolveVerb(root, words);
  if (!resolved) {
    const group = groupHelp(root, words);
    if (group) {
      io.out(group);
      return flags.help ? EXIT.ok : EXIT.usage;
    }
    io.err(`error: unknown command "${root} ${words.join(' ')}"; run \`${root} help\``);
    return EXIT.usage;
  }
  if (flags.help) {
    io.out(verbHelp(resolved.def));
    return EXIT.ok;
  }
  let args: ReturnType<typeof parseWords>;
  try {
    args = parseWords(resolved.rest, resolved.def.syntax, resolved.def.usage);
  } catch (err) {
    return usageFailure(io, err);
  }
  const reply = await call(resolved.def, args, flags, env, io);
  return typeof reply === 'number' ? reply : render(resolved.def, reply, flags.json, io);
}

async function call(def: CommandDef, args: unknown, flags: GlobalFlags, env: NodeJS.ProcessEnv, io: Output) {
  let nc: NatsConnection | undefined;
  let url = '';
  // Off (and nothing loaded) unless an OTEL_* variable asks for it; see src/app/tracing.ts.
  const tracing = await startTracing('gastown-ops-cli', env, { flushMs: 2_000 });
  try {
    url = discoverNatsUrl(flags, env);
    const caller = discoverCaller(flags, env);
    nc = await connectClient(url, `gt-cli-${process.pid}`, caller.connectAs);
    const prefix = env.GT_SUBJECT_PREFIX || DEFAULT_SUBJECT_PREFIX;
    // TRACEPARENT: set by a rig runner for its polecat, so an agent's own calls join the trace of
    // the dispatch that started it (and by anyone who wants a call inside a trace of theirs).
    return await callApi(nc, prefix, {
      verb: verbName(def),
      args,
      actor: caller.actor,
      traceparent: env.TRACEPARENT,
    });
  } catch (err) {
    if (err instanceof NoServiceAddress || err instanceof ServiceUnavailable) io.err(`error: ${err.message}`);
    else if ((err as Error).name === 'AuthorizationError') io.err(`error: ${loginRefused(url)}`);
    else
      io.err(
        redactUrlPasswords(
          `error: cannot reach the service at ${url} (${(err as Error).message}); is \`gt up\` running?`,
        ),
      );
    return EXIT.unreachable;
  } finally {
    await nc?.close();
    await tracing?.shutdown();
  }
}

function render(def: CommandDef, reply: Reply, json: boolean, io: Output): number {
  if (!reply.ok) {
    // Some refusals carry a result worth reading (a stage plan with its errors): --json prints it.
    if (json && reply.error.details?.result !== undefined)
      io.out(JSON.stringify(reply.error.details.result, null, 2));
    io.err(`error: ${reply.error.message}`);
    if (reply.error.kind === 'unavailable') return EXIT.unreachable;
    return reply.error.kind === 'usage' ? EXIT.usage : EXIT.refused;
  }
  for (const message of reply.errors ?? []) io.err(`error: ${message}`);
  if (json) io.out(JSON.stringify(reply.data, null, 2));
  else {
    const text = def.text(reply.data);
    if (text !== '') io.out(text);
  }
  return EXIT.ok;
}

function usageFailure(io: Output, err: unknown): number {
  if (!(err instanceof DomainError)) throw err;
  io.err(`error: ${err.message}`);
  return EXIT.usage;
}

/** The town's NATS wants credentials these are not (or none were found). */
export const loginRefused = (url: string): string =>
  `the NATS server at ${redactUrlPasswords(url)} refused the login; on the town's machine gt uses $GT_HOME/creds/operator.json, elsewhere set GT_NATS_CREDS (a credentials file) or GT_NATS_USER and GT_NATS_PASSWORD (docs/nats-auth.md)`;
