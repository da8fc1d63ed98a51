import { type Output, processOutput } from './output.ts';
import { runRemote } from './run-remote.ts';

/** `bd`: the bead ledger commands, all served by the running service. */
export function main(argv: string[], env = process.env, io: Output = processOutput): Promise<number> {
  return runRemote('bd', argv, env, io);
}
