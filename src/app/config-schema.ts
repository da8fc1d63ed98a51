import { z } from 'zod';
import { parseBudgetDefaults } from '../domain/budget-default.ts';

/**
 * Every setting of the service, in one table: its environment variable, the flag that overrides
 * it, the default, a one-line description and how it is checked. `.env.example` and
 * docs/configuration.md list the same variables (test/unit/config-reference.test.ts fails when
 * they disagree). Values are strings from the environment; empty means unset.
 */
export interface Setting {
  group: 'service' | 'supervision' | 'slack' | 'discord';
  /** The value when unset; '' = none (or computed at start, see `doc`). */
  default: string;
  doc: string;
  flag?: `--${string}`;
  /** Never logged, never echoed in an error. */
  secret?: boolean;
  schema: z.ZodType;
}

const seconds = (min: number) =>
  z.coerce.number().int(`must be a whole number of seconds`).min(min, `must be ${min} or more`);
/** One of a few words, whatever their case (`SLACK_MODE=Socket` is fine). */
const choice = <const T extends readonly [string, ...string[]]>(values: T, message: string) =>
  z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), z.enum(values, message));
/** '' (unset) or a value the schema accepts; the schema's own message when it does not. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
const url = (schemes: RegExp, example: string) => z.string().regex(schemes, `must be a URL like ${example}`);

export const SETTINGS = {
  GT_HOME: {
    group: 'service',
    default: '',
    doc: 'data directory (ledger, NATS store, logs, worktrees); default ~/.gastown',
    flag: '--home',
    schema: z.string(),
  },
  GT_LEDGER_URL: {
    group: 'service',
    default: '',
    doc: 'sqlite:<path> (default sqlite:$GT_HOME/ledger.db) or mongodb://… (a replica set)',
    flag: '--ledger',
    schema: optional(
      url(/^(sqlite:\S+|mongodb(\+srv)?:\/\/\S+)$/, 'sqlite:/path/ledger.db or mongodb://host/db'),
    ),
  },
  GT_NATS_URL: {
    group: 'service',
    default: '',
    doc: 'an external NATS server with JetStream; empty = start an embedded nats-server',
    flag: '--nats',
    schema: optional(url(/^(nats|tls|wss?):\/\/\S+$/, 'nats://host:4222')),
  },
  GT_NATS_AUTH: {
    group: 'service',
    default: 'on',
    doc: 'embedded nats-server only: per-agent and per-runner NATS users (docs/nats-auth.md); off = no authentication',
    schema: choice(['on', 'off'], 'must be on or off'),
  },
  GT_NATS_USER: {
    group: 'service',
    default: '',
    doc: 'external NATS with users: the service’s user (with GT_NATS_PASSWORD), or use GT_NATS_CREDS',
    schema: z.string(),
  },
  GT_NATS_PASSWORD: {
    group: 'service',
    default: '',
    doc: 'the password of GT_NATS_USER',
    secret: true,
    schema: z.string(),
  },
  GT_NATS_CREDS: {
    group: 'service',
    default: '',
    doc: 'a credentials file {"user","password"} to log in to an external NATS',
    schema: z.string(),
  },
  GT_HTTP_HOST: {
    group: 'service',
    default: '127.0.0.1',
    doc: 'address the HTTP endpoint binds (0.0.0.0 in containers)',
    schema: z.string().min(1),
  },
  GT_HTTP_PORT: {
    group: 'service',
    default: '8420',
    doc: 'port of /livez, /readyz, /metrics, /slack/events, /discord/interactions (0 = any free port)',
    flag: '--http-port',
    schema: z.coerce
      .number()
      .int('must be a port number')
      .min(0, 'must be 0–65535')
      .max(65535, 'must be 0–65535'),
  },
  GT_SUBJECT_PREFIX: {
    group: 'service',
    default: 'gt',
    doc: 'first token of every NATS subject, stream and bucket (several towns on one NATS)',
    schema: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_-]{0,30}$/, 'must be one NATS token, e.g. gt'),
  },
  GT_SQLITE_SYNC: {
    group: 'service',
    default: 'normal',
    doc: 'SQLite synchronous mode: normal (WAL, fast) or full (fsync every commit)',
    schema: choice(['normal', 'full'], 'must be normal or full'),
  },
  GT_MONGO_MODE: {
    group: 'service',
    default: 'auto',
    doc: 'MongoDB ledger: auto (from the server’s hello/buildInfo), mongodb (atomic updates, fewest round trips) or compat (FerretDB’s workarounds)',
    schema: choice(['auto', 'mongodb', 'compat'], 'must be auto, mongodb or compat'),
  },
  GT_NATS_REPLICAS: {
    group: 'service',
    default: '1',
    doc: 'JetStream streams and KV buckets: replicas (1, or 3 on a NATS cluster of 3 or more nodes)',
    schema: z.coerce
      .number()
      .int('must be a whole number')
      .min(1, 'must be 1 or more')
      .max(5, 'must be 5 or less'),
  },
  GT_LOG_LEVEL: {
    group: 'service',
    default: 'info',
    doc: 'log level of the JSON logs on stderr',
    schema: z.enum(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      'must be fatal, error, warn, info, debug, trace or silent',
    ),
  },
  GT_LEASE_TTL_MS: {
    group: 'service',
    default: '15000',
    doc: 'how long the cron leader lease lives without renewal (failover time)',
    schema: z.coerce.number().int('must be milliseconds').min(500, 'must be 500 or more'),
  },
  GT_SHUTDOWN_DEADLINE_MS: {
    group: 'service',
    default: '10000',
    doc: 'on SIGTERM, how long the ordered shutdown of gt up or gt rig run may take before the process exits anyway (exit 1)',
    schema: z.coerce.number().int('must be milliseconds').min(1, 'must be 1 or more'),
  },
  GT_POLICY_FILE: {
    group: 'service',
    default: '',
    doc: 'the chat policy file (roles, people, routing); default config/policy.json',
    schema: z.string(),
  },
  GT_DEFAULT_BUDGET_USD: {
    group: 'service',
    default: '',
    doc: 'budget of a convoy created or staged without --budget: USD for every rig, rig=USD per rig, or both (5,alpha=2); empty = none',
    schema: z.string().superRefine((v, ctx) => {
      try {
        parseBudgetDefaults(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
  },
  GT_STRANDED_INTERVAL_S: {
    group: 'supervision',
    default: '30',
    doc: 'stranded-work scan interval',
    schema: seconds(1),
  },
  GT_WITNESS_INTERVAL_S: {
    group: 'supervision',
    default: '30',
    doc: 'witness pass interval',
    schema: seconds(1),
  },
  GT_HEARTBEAT_STALE_S: {
    group: 'supervision',
    default: '180',
    doc: 'a polecat silent this long (no report, no heartbeat) is presumed dead',
    schema: seconds(1),
  },
  GT_ESCALATION_STALE_S: {
    group: 'supervision',
    default: '14400',
    doc: 'an unacknowledged escalation this old is re-escalated (severity up, at most twice)',
    schema: seconds(1),
  },
  GT_SPAWN_GRACE_S: {
    group: 'supervision',
    default: '60',
    doc: 'a fresh polecat gets the benefit of the doubt this long',
    schema: seconds(0),
  },
  GT_MAX_RESPAWNS: {
    group: 'supervision',
    default: '3',
    doc: 'respawns of one bead before it is a crash loop (stopped and escalated)',
    schema: z.coerce.number().int('must be a whole number').min(0, 'must be 0–100').max(100, 'must be 0–100'),
  },
  GT_MAX_MERGE_ATTEMPTS: {
    group: 'supervision',
    default: '3',
    doc: 'verification attempts of one merge request (rework rounds) before a person decides',
    schema: z.coerce.number().int('must be a whole number').min(1, 'must be 1–20').max(20, 'must be 1–20'),
  },
  GT_MQ_POLL_S: {
    group: 'supervision',
    default: '5',
    doc: "how often each rig's merge queue is looked at without an event (a safety net)",
    schema: seconds(1),
  },
  GT_MQ_MAX_WAIT: {
    group: 'supervision',
    default: '1800',
    doc: 'seconds a merge request may wait behind higher-priority ones before it goes first (ageing)',
    schema: seconds(1),
  },
  GT_EVENT_RETENTION_DAYS: {
    group: 'supervision',
    default: '30',
    doc: 'ledger events older than this many days are deleted, never one the relay has not published (0 = keep all)',
    schema: z.coerce.number().int('must be a whole number of days').min(0, 'must be 0 or more'),
  },
  GT_AUDIT_RETENTION_DAYS: {
    group: 'supervision',
    default: '365',
    doc: 'audit records older than this many days are deleted, never the newest 10,000 (0 = keep all)',
    schema: z.coerce.number().int('must be a whole number of days').min(0, 'must be 0 or more'),
  },
  GT_RETENTION_INTERVAL_S: {
    group: 'supervision',
    default: '86400',
    doc: 'how often the leader compacts events and audit (seconds dividing a minute, hour or day)',
    schema: seconds(1),
  },
  SLACK_MODE: {
    group: 'slack',
    default: '',
    doc: 'socket or http; default socket when SLACK_APP_TOKEN is set, else http',
    schema: optional(choice(['socket', 'http'], 'must be socket or http')),
  },
  SLACK_BOT_TOKEN: {
    group: 'slack',
    default: '',
    doc: 'bot token (xoxb-…); setting it turns Slack on',
    secret: true,
    schema: z.string(),
  },
  SLACK_SIGNING_SECRET: {
    group: 'slack',
    default: '',
    doc: 'verifies requests to /slack/events (HTTP mode)',
    secret: true,
    schema: z.string(),
  },
  SLACK_APP_TOKEN: {
    group: 'slack',
    default: '',
    doc: 'app-level token (xapp-…, connections:write) for Socket Mode',
    secret: true,
    schema: z.string(),
  },
  SLACK_API_URL: {
    group: 'slack',
    default: 'https://slack.com/api/',
    doc: 'Web API base (tests point it at a local server)',
    schema: url(/^https?:\/\/\S+$/, 'https://slack.com/api/'),
  },
  SLACK_APP_ID: {
    group: 'slack',
    default: '',
    doc: 'when set, requests from another app are refused',
    schema: z.string(),
  },
  SLACK_TEAM_ID: {
    group: 'slack',
    default: '',
    doc: 'when set, requests from another workspace are refused',
    schema: z.string(),
  },
  DISCORD_MODE: {
    group: 'discord',
    default: 'http',
    doc: 'http (the /discord/interactions endpoint) or gateway (a bot session, no public endpoint)',
    schema: choice(['http', 'gateway'], 'must be http or gateway'),
  },
  DISCORD_APP_ID: {
    group: 'discord',
    default: '',
    doc: 'the application id; setting it turns Discord on',
    schema: optional(z.string().regex(/^\d+$/, 'must be the numeric application id')),
  },
  DISCORD_PUBLIC_KEY: {
    group: 'discord',
    default: '',
    doc: 'the application public key; verifies interactions (HTTP mode)',
    schema: optional(z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters')),
  },
  DISCORD_BOT_TOKEN: {
    group: 'discord',
    default: '',
    doc: 'bot token: posts cards and DMs, registers commands, holds the gateway session',
    secret: true,
    schema: z.string(),
  },
  DISCORD_API_URL: {
    group: 'discord',
    default: 'https://discord.com/api',
    doc: 'REST base without the version (tests point it at a local server)',
    schema: url(/^https?:\/\/\S+$/, 'https://discord.com/api'),
  },
} satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;
export type Settings = { [K in SettingName]: z.output<(typeof SETTINGS)[K]['schema']> };

/** The values of the secret settings in force (the logger removes them from every line). */
export function secretValues(settings: Settings): string[] {
  return (Object.keys(SETTINGS) as SettingName[])
    .filter((name) => (SETTINGS[name] as Setting).secret)
    .map((name) => settings[name])
    .filter((v): v is string => typeof v === 'string' && v !== '');
}

/**
 * Reads every setting from the flags and the environment (flag over variable over default) and
 * checks them all; returns the values, or one line per problem naming the variable (and flag).
 */
export function readSettings(
  env: NodeJS.ProcessEnv,
  flags: Partial<Record<SettingName, string>> = {},
): { settings: Settings; problems: string[] } | { settings: null; problems: string[] } {
  const raw: Record<string, string> = {};
  for (const [name, s] of Object.entries(SETTINGS) as Array<[SettingName, Setting]>) {
    const given = flags[name] ?? env[name]?.trim();
    raw[name] = given === undefined || given === '' ? s.default : given;
  }
  const shape = Object.fromEntries(Object.entries(SETTINGS).map(([k, s]) => [k, s.schema]));
  const parsed = z.object(shape).safeParse(raw);
  if (parsed.success) return { settings: parsed.data as Settings, problems: [] };
  return { settings: null, problems: parsed.error.issues.map((i) => problem(String(i.path[0]), i.message)) };
}

/** One line of the start-up error: the variable, its flag when it has one, what is wrong. */
export function problem(name: string, message: string): string {
  const flag = (SETTINGS as Record<string, Setting>)[name]?.flag;
  return `  ${name}${flag ? ` (or ${flag})` : ''}: ${message}`;
}
