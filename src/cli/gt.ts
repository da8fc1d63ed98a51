import { EXIT, type Output, processOutput } from './output.ts';
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
  return runRemote('gt', argv, env, io, [{ usage: UP_USAGE, summary: UP_SUMMARY }]);
}
