import { type Logger, pino } from 'pino';

/**
 * Structured JSON logs on stderr (stdout stays for the human `ready` line and command output).
 * Redaction covers the secrets later issues add (tokens, signatures, response URLs).
 */
export function createLogger(level: string): Logger {
  return pino(
    {
      level,
      base: { service: 'gastown-ops' },
      redact: ['*.token', '*.botToken', '*.signingSecret', '*.response_url', 'headers.authorization'],
    },
    pino.destination(2),
  );
}

export type { Logger };
