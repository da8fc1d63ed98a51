import { usageError } from './errors.ts';

/**
 * What a polecat's environment may hold. A rig runner's own environment carries secrets a polecat
 * must never see — its NATS login, and wherever it shares an env file with the service, chat
 * tokens and the ledger URL with its password — so a polecat starts from an allow-list, never
 * from a copy of the runner's environment:
 *
 *  - the OS basics every CLI expects: who and where (HOME, USER, LOGNAME, SHELL), locale and time
 *    (LANG, LC_*, TZ), terminal type (TERM) and scratch space (TMPDIR); PATH with `gt`/`bd` first;
 *  - the variables the rig names (`gt rig add --env NAME`): the agent CLI's own, e.g. its API key;
 *  - the GT_* variables the runner sets itself: the polecat's identity and its slot's NATS user;
 *  - TRACEPARENT when the dispatch was traced: ids only, so the polecat's `gt` calls join the
 *    trace. Never the OTEL_* exporter settings (OTEL_EXPORTER_OTLP_HEADERS may hold a key).
 *
 * Proxies, SSH agent sockets, cloud and git settings are deliberately not basics: they can carry
 * credentials or reach the runner's keys, so a rig that needs one names it.
 */
const BASICS = ['HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'TERM', 'TZ', 'TMPDIR'];
const isBasic = (name: string): boolean => BASICS.includes(name) || /^LC_[A-Z]+$/.test(name);

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/**
 * The service's own setting namespaces (src/app/config-schema.ts): its NATS credentials, ledger
 * URL and chat tokens live there, and GT_* is also what the runner sets per polecat. Naming one
 * would hand a secret to every polecat of the rig, or let the rig's config override who the
 * polecat is, so none may be named.
 */
const RESERVED = /^(GT|SLACK|DISCORD)_/i;

/** Why `name` cannot be passed to polecats, or null when it can. */
function envNameProblem(name: string): string | null {
  if (!ENV_NAME.test(name))
    return `--env ${JSON.stringify(name)} is not a variable name; use letters, digits and _ (not starting with a digit), e.g. --env ANTHROPIC_API_KEY`;
  if (RESERVED.test(name))
    return `--env ${name}: GT_*, SLACK_* and DISCORD_* variables are the runner's and the service's own (identity, NATS credentials, ledger URL, chat tokens) and never reach a polecat; name the agent CLI's own variables, e.g. --env ANTHROPIC_API_KEY`;
  return null;
}

/** The rig's `--env` names, checked and de-duplicated (order kept); the first bad one is refused. */
export function parseEnvNames(raw: readonly string[]): string[] {
  for (const name of raw) {
    const problem = envNameProblem(name);
    if (problem) throw usageError('invalid_env_name', problem);
  }
  return [...new Set(raw)];
}

/** The OS basics of an environment (no PATH: the caller decides it): what any CLI expects. */
export function basicEnv(from: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(from))
    if (value !== undefined && isBasic(name)) env[name] = value;
  return env;
}

export interface PolecatEnvInput {
  /** The runner's own environment: the only source of passed-through values. */
  runnerEnv: Readonly<Record<string, string | undefined>>;
  /** The rig's `--env` names. */
  named: readonly string[];
  /** Directory of the `gt` / `bd` shims, first on PATH. */
  binDir: string;
  /** The GT_* variables the runner sets for this polecat (identity, slot login), and TRACEPARENT. */
  own: Readonly<Record<string, string>>;
}

/**
 * The whole environment of one polecat. A named variable the runner does not have is left out;
 * a reserved name in the rig record (an old or hand-edited one) is ignored rather than trusted.
 */
export function polecatEnv(input: PolecatEnvInput): Record<string, string> {
  const env = basicEnv(input.runnerEnv);
  for (const name of input.named) {
    const value = input.runnerEnv[name];
    if (value !== undefined && envNameProblem(name) === null) env[name] = value;
  }
  const path = input.runnerEnv.PATH;
  env.PATH = path ? `${input.binDir}:${path}` : input.binDir;
  return { ...env, ...input.own };
}
