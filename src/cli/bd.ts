import { DomainError } from '../domain/errors.ts';
import { type GraphSource, localFiles, withGraphFile } from './graph-file.ts';
import { EXIT, type Output, processOutput } from './output.ts';
import { runRemote } from './run-remote.ts';

/** `bd`: the bead ledger commands, all served by the running service. */
export async function main(
  argv: string[],
  env = process.env,
  io: Output = processOutput,
  files: GraphSource = localFiles,
): Promise<number> {
  let words: string[];
  try {
    // `bd create --graph plan.json`: the service cannot read the caller's files.
    words = await withGraphFile(argv, files);
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    io.err(`error: ${err.message}`);
    return EXIT.usage;
  }
  return runRemote('bd', words, env, io);
}
