import { resolveHome } from '../app/config.ts';
import { readRuntime, runtimePath } from '../app/runtime-file.ts';
import type { ConnectAs } from '../bus/connection.ts';
import { asNatsCredentials, findCredentials, operatorCredentialsPath } from '../bus/credentials.ts';
import { DEFAULT_SUBJECT_PREFIX, identityOf, inboxPrefixFor } from '../bus/subjects.ts';
import { actorFromEnv } from './actor.ts';

/** Raised when no service address can be found: exit code 3 with how to start one. */
export class NoServiceAddress extends Error {}

/**
 * Where the service is (CLI-CONTRACT.md): --nats, else GT_NATS_URL, else $GT_HOME/runtime.json
 * written by `gt up`.
 */
export function discoverNatsUrl(flags: { nats?: string; home?: string }, env: NodeJS.ProcessEnv): string {
  if (flags.nats) return flags.nats;
  if (env.GT_NATS_URL) return env.GT_NATS_URL;
  const home = resolveHome(flags.home, env);
  const runtime = readRuntime(home);
  if (runtime?.nats_url) return runtime.nats_url;
  throw new NoServiceAddress(
    `no running service found (${runtimePath(home)} is missing); start one with \`gt up\`, or pass --nats URL / set GT_NATS_URL`,
  );
}

/**
 * How a CLI process logs in to NATS: the credentials of credentials.ts's search (on the town's
 * machine, the operator's file `gt up` wrote under $GT_HOME/creds), and — when it speaks for an
 * agent (GT_AGENT) — that agent's inbox, the only one an agent's credentials may read.
 */
export function discoverConnectAs(flags: { home?: string }, env: NodeJS.ProcessEnv): ConnectAs {
  const home = resolveHome(flags.home, env);
  const identity = identityOf(actorFromEnv(env));
  const prefix = env.GT_SUBJECT_PREFIX || DEFAULT_SUBJECT_PREFIX;
  return {
    credentials: asNatsCredentials(findCredentials(env, [operatorCredentialsPath(home)])),
    inboxPrefix: identity ? inboxPrefixFor(prefix, identity) : undefined,
  };
}
