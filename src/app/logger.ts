import { type DestinationStream, type Logger, pino } from 'pino';
import { activeTraceIds } from '../bus/tracing.ts';
import { redactUrlPasswords } from '../domain/redact-url.ts';

/** Fields that hold secrets wherever they appear in a logged object. */
const SECRET_PATHS = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'response_url',
  'responseUrl',
  'authorization',
  'Authorization',
  'x-slack-signature',
  'x-signature-ed25519',
].flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.headers["${key}"]`]);

/** Secrets that can hide inside messages and error texts (URLs, stack traces, API errors). */
const SECRET_PATTERNS: RegExp[] = [
  /\bxox[abposr]-[A-Za-z0-9-]+/g, // Slack bot/user tokens
  /\bxapp-[A-Za-z0-9-]+/g, // Slack app-level tokens
  /https:\/\/hooks\.slack\.com\/[^\s"']+/g, // Slack response URLs and webhooks
  /(\/(?:webhooks|interactions)\/\d+\/)[A-Za-z0-9_.-]{20,}/g, // Discord interaction tokens in paths
  /(\b(?:Bot|Bearer) )[A-Za-z0-9_.-]{20,}/g,
];

/**
 * Replaces every secret-looking part of a log line or message (URL passwords included), and every
 * configured secret value. `gt up` passes what it prints through here as well.
 */
export function redactSecrets(line: string, knownSecrets: readonly string[] = []): string {
  let out = redactUrlPasswords(line);
  for (const p of SECRET_PATTERNS)
    out = out.replace(p, (_m, keep?: string) => `${typeof keep === 'string' ? keep : ''}[Redacted]`);
  for (const secret of knownSecrets) if (secret.length >= 6) out = out.split(secret).join('[Redacted]');
  return out;
}

/**
 * Structured JSON logs on stderr (stdout stays for the human `ready` line and command output).
 * Secrets are removed twice: by field name (pino's redaction) and, for what hides inside
 * messages and error texts, by pattern and by the configured secret values on every line written.
 */
export function createLogger(
  level: string,
  knownSecrets: readonly string[] = [],
  destination: DestinationStream = pino.destination(2),
): Logger {
  return pino(
    {
      level,
      base: { service: 'gastown-ops' },
      redact: SECRET_PATHS,
      // A line logged inside a traced command carries its trace_id/span_id (nothing when tracing is off).
      mixin: activeTraceIds,
      hooks: { streamWrite: (line) => redactSecrets(line, knownSecrets) },
    },
    destination,
  );
}

export type { Logger };
