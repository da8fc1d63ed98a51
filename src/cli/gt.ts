import { withDoneFacts } from './agent-facts.ts';
import { LOCAL_VERBS, localVerbOf } from './local-verbs.ts';
import { EXIT, type Output, processOutput } from './output.ts';
import { runRemote } from './run-remote.ts';

/** `gt`: the town command. Local verbs (`gt up`, `gt rig run`, …) run here; every other verb goes to the service. */
export async function main(argv: string[], env = process.env, io: Output = processOutput): Promise<number> {
  const local = localVerbOf(argv);
  if (local) {
    const rest = argv.slice(local.words.length);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(`usage: ${local.usage}\n\n${local.summary}`);
      return EXIT.ok;
    }
    return (await local.load())(rest, env, io);
  }
  const words = argv[0] === 'done' ? withDoneFacts(argv, env) : argv;
  return runRemote('gt', words, env, io, LOCAL_VERBS);
}
