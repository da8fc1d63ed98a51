import { inspect } from 'node:util';
import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger as PinoLogger } from 'pino';

/** Bolt's levels, least to most severe (pino uses the same names). */
const ORDER: readonly LogLevel[] = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR];
const rank = (level: string): number => {
  const i = ORDER.indexOf(level as LogLevel);
  // pino's own names beyond Bolt's: trace is below debug; fatal and silent above error.
  return i >= 0 ? i : level === 'trace' ? -1 : ORDER.length;
};

/**
 * Bolt's Logger over the service's pino logger, so what Bolt and its Web API and Socket Mode
 * clients log goes through the same redaction (token patterns, configured secret values) as
 * ours, as JSON on stderr. Bolt's own ConsoleLogger prints whatever an error holds, bot token
 * included.
 *
 * Bolt sets its level (we ask for warn: at info it narrates every connection); the lines it keeps
 * are also held to the service's level, so a quieter GT_LOG_LEVEL stays quieter.
 */
export function boltLogger(log: PinoLogger, component = 'slack-bolt'): BoltLogger {
  const serviceLevel = log.level;
  const child = log.child({ component });
  let level: LogLevel = LogLevel.INFO;
  let name: string | undefined;
  const write =
    (at: LogLevel) =>
    (...args: unknown[]): void => {
      if (rank(at) < rank(level)) return;
      const err = args.find((a): a is Error => a instanceof Error);
      const msg = args
        .filter((a) => a !== err)
        .map((a) =>
          typeof a === 'string' ? a : inspect(a, { depth: 4, breakLength: Number.POSITIVE_INFINITY }),
        )
        .join(' ');
      const fields = { ...(name ? { logger: name } : {}), ...(err ? { err } : {}) };
      child[at](fields, msg || err?.message || '');
    };
  return {
    debug: write(LogLevel.DEBUG),
    info: write(LogLevel.INFO),
    warn: write(LogLevel.WARN),
    error: write(LogLevel.ERROR),
    setLevel(l: LogLevel) {
      level = l;
      // pino drops what is below its level before any formatting: the stricter of the two.
      child.level = rank(l) >= rank(serviceLevel) ? l : serviceLevel;
    },
    getLevel: () => level,
    setName(n: string) {
      name = n;
    },
  };
}
