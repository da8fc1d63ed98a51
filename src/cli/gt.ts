import { withDoneFacts } from './agent-facts.ts';
import { runConvoyWatch, WATCH_SUMMARY, WATCH_USAGE } from './convoy-watch.ts';
import { DEMO_SUMMARY, DEMO_USAGE, runDemo } from './demo.ts';
import { DISCORD_REGISTER_SUMMARY, DISCORD_REGISTER_USAGE, runDiscordRegister } from './discord-register.ts';
import { FEED_SUMMARY, FEED_USAGE, runFeed } from './feed.ts';
import { EXIT, type Output, processOutput } from './output.ts';
import { RIG_RUN_SUMMARY, RIG_RUN_USAGE, runRigRunner } from './rig-run.ts';
import { runRemote } from './run-remote.ts';
import { runUp, UP_SUMMARY, UP_USAGE } from './up.ts';

/** `gt`: the town command. `gt up` runs the service here; every other verb goes to it. */
export async function main(argv: string[], env = process.env, io: Output = processOutput): Promise<number> {
  if (argv[0] === 'up') {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.out(`usage: ${UP_USAGE}\n\n${UP_SUMMARY}`);
      return EXIT.ok;
    }
    return runUp(argv.slice(1), env, io);
  }
  if (argv[0] === 'rig' && argv[1] === 'run') return runRigRunner(argv.slice(2), env, io);
  if (argv[0] === 'feed') return runFeed(argv.slice(1), env, io);
  if (argv[0] === 'convoy' && argv[1] === 'watch')
    return local(argv.slice(2), WATCH_USAGE, WATCH_SUMMARY, io, () => runConvoyWatch(argv.slice(2), env, io));
  if (argv[0] === 'demo')
    return local(argv.slice(1), DEMO_USAGE, DEMO_SUMMARY, io, () => runDemo(argv.slice(1), env, io));
  if (argv[0] === 'discord' && argv[1] === 'register') return runDiscordRegister(argv.slice(2), env, io);
  const words = argv[0] === 'done' ? withDoneFacts(argv, env) : argv;
  return runRemote('gt', words, env, io, [
    { usage: UP_USAGE, summary: UP_SUMMARY },
    { usage: RIG_RUN_USAGE, summary: RIG_RUN_SUMMARY },
    { usage: FEED_USAGE, summary: FEED_SUMMARY },
    { usage: WATCH_USAGE, summary: WATCH_SUMMARY },
    { usage: DEMO_USAGE, summary: DEMO_SUMMARY },
    { usage: DISCORD_REGISTER_USAGE, summary: DISCORD_REGISTER_SUMMARY },
  ]);
}

/** A verb that runs here rather than in the service: its own help, then its runner. */
function local(
  argv: readonly string[],
  usage: string,
  summary: string,
  io: Output,
  run: () => Promise<number>,
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(`usage: ${usage}\n\n${summary}`);
    return Promise.resolve(EXIT.ok);
  }
  return run();
}
