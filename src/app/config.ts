import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { asNatsCredentials, findCredentials, type NatsCredentials } from '../bus/credentials.ts';
import { type BudgetDefaults, parseBudgetDefaults } from '../domain/budget-default.ts';
import { DomainError, usageError } from '../domain/errors.ts';
import { urlPasswords } from '../domain/redact-url.ts';
import { type ChatConfig, chatConfigFrom } from './chat-config.ts';
import { readSettings, type SettingName, secretValues } from './config-schema.ts';
import { type ChatPolicy, loadChatPolicy } from './policy-file.ts';

/** The service's validated settings (see config-schema.ts for each one's meaning and default). */
export interface ServiceConfig {
  home: string;
  natsUrl: string | undefined;
  /** Embedded nats-server: generate users and permissions (nats-users.ts). */
  natsAuth: boolean;
  /** How the service logs in to an external NATS (GT_NATS_USER/PASSWORD or GT_NATS_CREDS). */
  natsLogin: NatsCredentials | undefined;
  ledgerUrl: string;
  httpHost: string;
  httpPort: number;
  subjectPrefix: string;
  sqliteSync: 'normal' | 'full';
  /** MongoDB adapter mode (ledger/mongo/mode.ts); auto = from the server's own answer. */
  mongoMode: 'auto' | 'mongodb' | 'compat';
  /** Replicas of every JetStream stream and KV bucket (3 on a NATS cluster). */
  natsReplicas: number;
  logLevel: string;
  leaseTtlMs: number;
  shutdownDeadlineMs: number;
  strandedIntervalS: number;
  witnessIntervalS: number;
  heartbeatStaleS: number;
  escalationStaleS: number;
  spawnGraceS: number;
  maxRespawns: number;
  maxMergeAttempts: number;
  mqPollS: number;
  mqMaxWaitS: number;
  /** GT_EVENT_RETENTION_DAYS / GT_AUDIT_RETENTION_DAYS (domain/retention.ts); 0 keeps everything. */
  retention: { eventDays: number; auditDays: number };
  retentionIntervalS: number;
  /** GT_DEFAULT_BUDGET_USD: the budget of a convoy created or staged without --budget. */
  budgetDefaults: BudgetDefaults;
  chat: ChatConfig;
  chatPolicy: ChatPolicy;
  /** Secret values in force (tokens, signing secrets, URL passwords): never logged. */
  secrets: string[];
}

export interface ServiceFlags {
  home?: string;
  nats?: string;
  ledger?: string;
  'http-port'?: string;
}

/** Where `gt` keeps its files: --home, else GT_HOME, else ~/.gastown. */
export const resolveHome = (flag: string | undefined, env: NodeJS.ProcessEnv): string =>
  resolve(flag || env.GT_HOME || join(homedir(), '.gastown'));

/**
 * Reads the configuration at start: flags over environment variables over defaults, the chat
 * platforms, and the policy file in config/. Every problem is reported at once, each naming its
 * variable; secret values never appear in a message.
 */
export function loadServiceConfig(flags: ServiceFlags, env: NodeJS.ProcessEnv): ServiceConfig {
  const overrides: Partial<Record<SettingName, string>> = {};
  if (flags.home !== undefined) overrides.GT_HOME = flags.home;
  if (flags.nats !== undefined) overrides.GT_NATS_URL = flags.nats;
  if (flags.ledger !== undefined) overrides.GT_LEDGER_URL = flags.ledger;
  if (flags['http-port'] !== undefined) overrides.GT_HTTP_PORT = flags['http-port'];
  const { settings: s, problems } = readSettings(env, overrides);
  if (!s) throw invalid(problems);
  const chat = chatConfigFrom(s);
  problems.push(...chat.problems);
  let chatPolicy: ChatPolicy | null = null;
  try {
    chatPolicy = loadChatPolicy(s.GT_POLICY_FILE ? { GT_POLICY_FILE: s.GT_POLICY_FILE } : {});
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    problems.push(`  GT_POLICY_FILE: ${err.message}`);
  }
  let natsLogin: NatsCredentials | undefined;
  try {
    natsLogin = asNatsCredentials(
      findCredentials(
        {
          GT_NATS_USER: s.GT_NATS_USER,
          GT_NATS_PASSWORD: s.GT_NATS_PASSWORD,
          GT_NATS_CREDS: s.GT_NATS_CREDS,
        },
        [],
      ),
    );
  } catch (err) {
    problems.push(`  GT_NATS_CREDS: ${(err as Error).message}`);
  }
  if (s.GT_NATS_USER && !s.GT_NATS_PASSWORD) problems.push('  GT_NATS_PASSWORD: required with GT_NATS_USER');
  if (problems.length > 0 || !chatPolicy) throw invalid(problems);
  const home = resolveHome(s.GT_HOME, {});
  const ledgerUrl = s.GT_LEDGER_URL || `sqlite:${join(home, 'ledger.db')}`;
  return {
    home,
    natsUrl: s.GT_NATS_URL || undefined,
    natsAuth: s.GT_NATS_AUTH === 'on',
    natsLogin,
    ledgerUrl,
    httpHost: s.GT_HTTP_HOST,
    httpPort: s.GT_HTTP_PORT,
    subjectPrefix: s.GT_SUBJECT_PREFIX,
    sqliteSync: s.GT_SQLITE_SYNC,
    mongoMode: s.GT_MONGO_MODE,
    natsReplicas: s.GT_NATS_REPLICAS,
    logLevel: s.GT_LOG_LEVEL,
    leaseTtlMs: s.GT_LEASE_TTL_MS,
    shutdownDeadlineMs: s.GT_SHUTDOWN_DEADLINE_MS,
    strandedIntervalS: s.GT_STRANDED_INTERVAL_S,
    witnessIntervalS: s.GT_WITNESS_INTERVAL_S,
    heartbeatStaleS: s.GT_HEARTBEAT_STALE_S,
    escalationStaleS: s.GT_ESCALATION_STALE_S,
    spawnGraceS: s.GT_SPAWN_GRACE_S,
    maxRespawns: s.GT_MAX_RESPAWNS,
    maxMergeAttempts: s.GT_MAX_MERGE_ATTEMPTS,
    mqPollS: s.GT_MQ_POLL_S,
    mqMaxWaitS: s.GT_MQ_MAX_WAIT,
    retention: { eventDays: s.GT_EVENT_RETENTION_DAYS, auditDays: s.GT_AUDIT_RETENTION_DAYS },
    retentionIntervalS: s.GT_RETENTION_INTERVAL_S,
    budgetDefaults: parseBudgetDefaults(s.GT_DEFAULT_BUDGET_USD),
    chat: chat.chat,
    chatPolicy,
    // A client library may echo a URL's password in an error, in a form no URL pattern matches.
    secrets: [...secretValues(s), ...urlPasswords(`${ledgerUrl} ${s.GT_NATS_URL ?? ''}`)],
  };
}

const invalid = (problems: string[]) =>
  usageError('bad_config', `invalid configuration:\n${problems.join('\n')}\nSee docs/configuration.md.`);
