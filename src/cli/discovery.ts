import { resolveHome } from '../app/config.ts';
import { readRuntime, runtimePath } from '../app/runtime-file.ts';
import type { ConnectAs } from '../bus/connection.ts';
import { asNatsCredentials, findCredentials, operatorCredentialsPath } from '../bus/credentials.ts';
import { DEFAULT_SUBJECT_PREFIX, identityOf, inboxPrefixFor } from '../bus/subjects.ts';
import type { Actor } from '../domain/actor.ts';
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
 * Who a CLI process is and how it logs in to NATS: the credentials of credentials.ts's search (on
 * the town's machine, the operator's file `gt up` wrote under $GT_HOME/creds), the actor they and
 * the environment make (actor.ts), and — when it has an identity of its own (an agent, a named
 * operator) — that identity's inbox, the only one its credentials may read.
 */
export function discoverCaller(
  flags: { home?: string },
  env: NodeJS.ProcessEnv,
): { actor: Actor; connectAs: ConnectAs } {
  const home = resolveHome(flags.home, env);
  const login = findCredentials(env, [operatorCredentialsPath(home)]);
  const actor = actorFromEnv(env, login?.user);
  const identity = identityOf(actor);
  const prefix = env.GT_SUBJECT_PREFIX || DEFAULT_SUBJECT_PREFIX;
  return {
    actor,
    connectAs: {
      credentials: asNatsCredentials(login),
      inboxPrefix: identity ? inboxPrefixFor(prefix, identity) : undefined,
    },
  };
}

export const discoverConnectAs = (flags: { home?: string }, env: NodeJS.ProcessEnv): ConnectAs =>
  discoverCaller(flags, env).connectAs;
