import { resolveHome } from '../app/config.ts';
import { readRuntime, runtimePath } from '../app/runtime-file.ts';

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
