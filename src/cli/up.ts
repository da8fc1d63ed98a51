import { loadServiceConfig, type ServiceFlags } from '../app/config.ts';
import { createLogger, redactSecrets } from '../app/logger.ts';
import { makeHomePrivate } from '../app/private-home.ts';
import { startService } from '../app/service.ts';
import { optString } from '../commands/args.ts';
import { parseWords, type Syntax } from '../commands/syntax.ts';
import { DomainError } from '../domain/errors.ts';
import { redactUrlPasswords } from '../domain/redact-url.ts';
import { describeEnvFileLoad, loadEnvFile } from './env-file.ts';
import { UP } from './local-verbs.ts';
import { EXIT, type Output } from './output.ts';
import { stopWithin } from './shutdown-deadline.ts';

const UP_SYNTAX: Syntax = {
  positionals: [],
  flags: {
    home: { type: 'string', description: 'data directory (default $GT_HOME or ~/.gastown)' },
    nats: { type: 'string', description: 'use this NATS server instead of starting one' },
    ledger: { type: 'string', description: 'sqlite:<path> (default) or mongodb://…' },
    'http-port': { type: 'string', description: 'HTTP port for /livez and /readyz (default 8420; 0 = any)' },
  },
};

/** `gt up`: start, print the ready line, run until SIGINT/SIGTERM, stop in order. */
export async function runUp(argv: readonly string[], env: NodeJS.ProcessEnv, io: Output): Promise<number> {
  let flags: ServiceFlags;
  try {
    const args = parseWords(argv, UP_SYNTAX, UP.usage);
    flags = {};
    for (const key of ['home', 'nats', 'ledger', 'http-port'] as const) {
      const v = optString(args, key);
      if (v !== undefined) flags[key] = v;
    }
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    io.err(`error: ${err.message}`);
    return EXIT.usage;
  }
  try {
    // Before the configuration is read: the docs say "put them in .env"; the environment wins.
    const envFile = loadEnvFile(process.cwd(), env);
    if (envFile) io.err(describeEnvFileLoad(envFile));
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    io.err(`error: ${err.message}`);
    return EXIT.usage;
  }
  let config: ReturnType<typeof loadServiceConfig>;
  try {
    config = loadServiceConfig(flags, env);
  } catch (err) {
    io.err(`error: ${redactSecrets((err as Error).message)}`);
    return EXIT.usage;
  }
  const log = createLogger(config.logLevel, config.secrets);
  // A stray rejection is a bug to fix, not a reason to drop every rig's dispatch: log it loudly.
  process.on('unhandledRejection', (err) =>
    log.error({ err }, 'unhandled rejection (a bug); the service keeps running'),
  );
  let service: Awaited<ReturnType<typeof startService>>;
  try {
    // Before anything is written: the umask also reaches the SQLite files and nats-server's store.
    const homeWarning = makeHomePrivate(config.home);
    if (homeWarning) log.warn(homeWarning);
    service = await startService(config, log);
  } catch (err) {
    io.err(`error: ${redactSecrets((err as Error).message, config.secrets)}`);
    // A failed start must end the process even if a client library still holds a handle open.
    setTimeout(() => process.exit(EXIT.refused), 2000).unref();
    return EXIT.refused;
  }
  // Listen before saying ready: whoever reacts to the ready line with SIGTERM must reach us.
  const stopRequested = untilSignal();
  io.out(
    `gt up: ready — ledger ${service.ledgerKind} (${redactUrlPasswords(config.ledgerUrl)}), nats ${redactUrlPasswords(service.natsUrl)}, http ${service.httpUrl}, home ${config.home}`,
  );
  for (const line of nextSteps(config)) io.out(line);
  await stopRequested;
  io.out('gt up: stopping');
  const late = (ms: number) =>
    io.err(
      `gt up: shutdown took longer than GT_SHUTDOWN_DEADLINE_MS (${ms} ms) at "${service.stopStep()}"; exiting anyway`,
    );
  if (!(await stopWithin(service.stop(), config.shutdownDeadlineMs, late, EXIT.refused))) return EXIT.refused;
  io.out('gt up: stopped');
  return EXIT.ok;
}

/** What to try next; without chat, how to add it (the service is useful from the CLI alone). */
function nextSteps(config: ReturnType<typeof loadServiceConfig>): string[] {
  const lines = [
    '  try:  gt demo   (two demo rigs, a convoy fed wave by wave until it lands)',
    '        gt rig add <name> --prefix <pfx> --repo <path> --command <cmd>  ·  bd create "First task"  ·  gt convoy watch',
  ];
  const { slack, discord } = config.chat;
  if (!slack && !discord)
    lines.push(
      '  chat: none configured. For Slack set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for',
      '        Socket Mode): docs/slack.md. For Discord set DISCORD_APP_ID, DISCORD_PUBLIC_KEY, DISCORD_BOT_TOKEN:',
      '        docs/discord.md. Then restart gt up.',
    );
  else
    lines.push(
      `  chat: ${[slack && `Slack (${slack.mode})`, discord && `Discord (${discord.mode})`].filter(Boolean).join(', ')}`,
    );
  return lines;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}
