import type { Bead } from './bead.ts';
import { usageError } from './errors.ts';
import { parseEnvNames } from './polecat-env.ts';
import { PROMPT_ARG } from './runtimes/preset.ts';

/**
 * How the town runs its Mayor: a runtime preset or a shell command line, the variables of the
 * service's environment it may see (its API key), and how long one planning round may take.
 * Kept on the Mayor's agent bead (`hq-mayor`, pinned), as Gas Town keeps an agent's settings on
 * its agent bead: one record both ledgers hold, audited like any change.
 */
export interface MayorConfig {
  runtime: string | null;
  command: string | null;
  env: string[];
  timeoutS: number;
}

export const MAYOR_BEAD = 'hq-mayor';
export const MAYOR_CONFIG_LABEL = 'gt:agent-config';
export const DEFAULT_MAYOR_TIMEOUT_S = 1_800;

/**
 * The presets run the agent CLI headless with only what planning needs: read the rigs'
 * repositories and run `gt`/`bd` (Claude Code denies every other tool without asking; Codex gets
 * a sandbox that may write its own workspace only, with the network `gt` needs to reach NATS).
 * They print plain text, logged and not read (the Mayor acts through `gt`/`bd`); the prompt is
 * passed as the polecat presets pass it (domain/runtimes/preset.ts).
 */
const PRESETS: Record<string, string> = {
  claude: `claude -p ${PROMPT_ARG} --permission-mode dontAsk --allowedTools "Read,Grep,Glob,Bash(gt:*),Bash(bd:*)"`,
  codex: `codex exec --sandbox workspace-write -c sandbox_workspace_write.network_access=true ${PROMPT_ARG}`,
};

export const MAYOR_RUNTIMES = Object.keys(PRESETS);

export function checkRuntime(runtime: string): string {
  if (!Object.hasOwn(PRESETS, runtime))
    throw usageError(
      'unknown_runtime',
      `unknown runtime ${JSON.stringify(runtime)}; use --runtime ${MAYOR_RUNTIMES.join('|')} or --command "<shell command>"`,
    );
  return runtime;
}

/** The command line the Mayor runs with; null when the town has not configured one. */
export function mayorCommand(c: MayorConfig | null): string | null {
  if (!c) return null;
  return c.command ?? (c.runtime ? (PRESETS[c.runtime] ?? null) : null);
}

const FIELDS = { runtime: 'Runtime', command: 'Command', env: 'Env', timeoutS: 'Timeout-s' } as const;

/** The agent bead's description: one `Key: value` line per setting. */
export function formatMayorConfig(c: MayorConfig): string {
  return [
    'How this town runs its Mayor (gt mayor config).',
    ...(c.runtime ? [`${FIELDS.runtime}: ${c.runtime}`] : []),
    ...(c.command ? [`${FIELDS.command}: ${c.command}`] : []),
    ...(c.env.length ? [`${FIELDS.env}: ${c.env.join(' ')}`] : []),
    `${FIELDS.timeoutS}: ${c.timeoutS}`,
  ].join('\n');
}

export function parseMayorConfig(b: Pick<Bead, 'description'> | null): MayorConfig | null {
  if (!b) return null;
  const field = (name: string): string | null => {
    const line = b.description.split('\n').find((l) => l.startsWith(`${name}: `));
    return line ? line.slice(name.length + 2).trim() || null : null;
  };
  const timeout = Number(field(FIELDS.timeoutS));
  return {
    runtime: field(FIELDS.runtime),
    command: field(FIELDS.command),
    env: parseEnvNames(field(FIELDS.env)?.split(' ') ?? []),
    timeoutS: Number.isInteger(timeout) && timeout > 0 ? timeout : DEFAULT_MAYOR_TIMEOUT_S,
  };
}
