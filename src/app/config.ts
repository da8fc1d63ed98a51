import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { usageError } from '../domain/errors.ts';
import { type ChatConfig, loadChatConfig } from './chat-config.ts';
import { type ChatPolicy, loadChatPolicy } from './policy-file.ts';

/**
 * The service's configuration: flags win over environment variables, which win over defaults.
 * Validated once at start; every problem is reported at once, naming the flag or variable.
 */
const Schema = z.object({
  home: z.string().min(1),
  natsUrl: z
    .string()
    .regex(/^(nats|tls):\/\/\S+$/, 'must look like nats://host:port')
    .optional(),
  ledgerUrl: z
    .string()
    .regex(/^(sqlite:\S+|mongodb(\+srv)?:\/\/\S+)$/, 'must be sqlite:<path> or mongodb://…'),
  httpHost: z.string().min(1),
  httpPort: z.coerce.number().int().min(0).max(65535),
  subjectPrefix: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_-]{0,30}$/, 'must be one NATS token, e.g. gt'),
  sqliteSync: z.enum(['normal', 'full']),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  strandedIntervalS: z.coerce.number().int().min(1),
  witnessIntervalS: z.coerce.number().int().min(1),
  heartbeatStaleS: z.coerce.number().int().min(1),
  escalationStaleS: z.coerce.number().int().min(1),
  spawnGraceS: z.coerce.number().int().min(0),
  maxRespawns: z.coerce.number().int().min(0).max(100),
  leaseTtlMs: z.coerce.number().int().min(500),
});

/** The validated settings, plus the chat platforms and the chat policy file (checked at start too). */
export type ServiceConfig = z.infer<typeof Schema> & { chat: ChatConfig; chatPolicy: ChatPolicy };

export interface ServiceFlags {
  home?: string;
  nats?: string;
  ledger?: string;
  'http-port'?: string;
}

/** Where `gt` keeps its files: --home, else GT_HOME, else ~/.gastown. */
export const resolveHome = (flag: string | undefined, env: NodeJS.ProcessEnv): string =>
  resolve(flag ?? env.GT_HOME ?? join(homedir(), '.gastown'));

const SOURCES: Record<keyof z.infer<typeof Schema>, string> = {
  home: '--home / GT_HOME',
  natsUrl: '--nats / GT_NATS_URL',
  ledgerUrl: '--ledger / GT_LEDGER_URL',
  httpHost: 'GT_HTTP_HOST',
  httpPort: '--http-port / GT_HTTP_PORT',
  subjectPrefix: 'GT_SUBJECT_PREFIX',
  sqliteSync: 'GT_SQLITE_SYNC',
  logLevel: 'GT_LOG_LEVEL',
  strandedIntervalS: 'GT_STRANDED_INTERVAL_S',
  witnessIntervalS: 'GT_WITNESS_INTERVAL_S',
  heartbeatStaleS: 'GT_HEARTBEAT_STALE_S',
  escalationStaleS: 'GT_ESCALATION_STALE_S',
  spawnGraceS: 'GT_SPAWN_GRACE_S',
  maxRespawns: 'GT_MAX_RESPAWNS',
  leaseTtlMs: 'GT_LEASE_TTL_MS',
};

export function loadServiceConfig(flags: ServiceFlags, env: NodeJS.ProcessEnv): ServiceConfig {
  const home = resolveHome(flags.home, env);
  const raw = {
    home,
    natsUrl: flags.nats ?? (env.GT_NATS_URL || undefined),
    ledgerUrl: flags.ledger ?? env.GT_LEDGER_URL ?? `sqlite:${join(home, 'ledger.db')}`,
    httpHost: env.GT_HTTP_HOST ?? '127.0.0.1',
    httpPort: flags['http-port'] ?? env.GT_HTTP_PORT ?? '8420',
    subjectPrefix: env.GT_SUBJECT_PREFIX ?? 'gt',
    sqliteSync: (env.GT_SQLITE_SYNC ?? 'normal').toLowerCase(),
    logLevel: env.GT_LOG_LEVEL ?? 'info',
    strandedIntervalS: env.GT_STRANDED_INTERVAL_S ?? '30',
    witnessIntervalS: env.GT_WITNESS_INTERVAL_S ?? '30',
    heartbeatStaleS: env.GT_HEARTBEAT_STALE_S ?? '180',
    escalationStaleS: env.GT_ESCALATION_STALE_S ?? '14400',
    spawnGraceS: env.GT_SPAWN_GRACE_S ?? '60',
    maxRespawns: env.GT_MAX_RESPAWNS ?? '3',
    leaseTtlMs: env.GT_LEASE_TTL_MS ?? '15000',
  };
  const parsed = Schema.safeParse(raw);
  if (parsed.success) return { ...parsed.data, chat: loadChatConfig(env), chatPolicy: loadChatPolicy(env) };
  const problems = parsed.error.issues.map((i) => {
    const key = i.path[0] as keyof typeof SOURCES;
    return `  ${SOURCES[key] ?? String(key)}: ${i.message}`;
  });
  throw usageError('bad_config', `invalid configuration:\n${problems.join('\n')}`);
}
