import type { Output } from './output.ts';

type Runner = (argv: readonly string[], env: NodeJS.ProcessEnv, io: Output) => Promise<number>;

/**
 * The `gt` verbs that run in the calling process instead of the service (the service itself, a
 * rig runner, streams, the demo). Their code loads only when called: `gt done` inside a polecat
 * must not pay for Bolt, discord.js and the MongoDB driver.
 */
export interface LocalVerb {
  words: readonly string[];
  usage: string;
  summary: string;
  load(): Promise<Runner>;
}

export const UP: LocalVerb = {
  words: ['up'],
  usage: 'gt up [--home DIR] [--nats URL] [--ledger URL] [--http-port N]',
  summary: 'Run the service in the foreground (embedded SQLite ledger and NATS by default)',
  load: async () => (await import('./up.ts')).runUp,
};

export const RIG_RUN: LocalVerb = {
  words: ['rig', 'run'],
  usage: 'gt rig run <name> [--max-polecats N]',
  summary: 'Run the rig runner: take the rig’s dispatch queue and spawn polecats in git worktrees',
  load: async () => (await import('./rig-run.ts')).runRigRunner,
};

export const FEED: LocalVerb = {
  words: ['feed'],
  usage: 'gt feed [--json] [--rig R] [--last N] [--count N]',
  summary: 'The live activity stream of ledger events (text, or NDJSON with --json); Ctrl-C stops it',
  load: async () => (await import('./feed.ts')).runFeed,
};

export const WATCH: LocalVerb = {
  words: ['convoy', 'watch'],
  usage: 'gt convoy watch [<convoy>…] [--timeout S] [--json]',
  summary:
    'Live progress bars per convoy and wave until they land (default: every open convoy); Ctrl-C stops',
  load: async () => (await import('./convoy-watch.ts')).runConvoyWatch,
};

export const DEMO: LocalVerb = {
  words: ['demo'],
  usage: 'gt demo [--home DIR] [--http-port N] [--pace S] [--exit]',
  summary:
    'A live demo: two rigs on fresh git repositories, a convoy fed wave by wave by real polecats until it lands',
  load: async () => (await import('./demo.ts')).runDemo,
};

export const DISCORD_REGISTER: LocalVerb = {
  words: ['discord', 'register'],
  usage: 'gt discord register [--guild ID]',
  summary: 'Register /gt and /bd with Discord (one guild: at once; global: may take up to an hour)',
  load: async () => (await import('./discord-register.ts')).runDiscordRegister,
};

export const LOCAL_VERBS: readonly LocalVerb[] = [UP, RIG_RUN, FEED, WATCH, DEMO, DISCORD_REGISTER];

/** The local verb `argv` starts with, if any. */
export function localVerbOf(argv: readonly string[]): LocalVerb | null {
  return LOCAL_VERBS.find((v) => v.words.every((w, i) => argv[i] === w)) ?? null;
}
