import { DomainError } from '../domain/errors.ts';
import { exportPages } from './export-pages.ts';
import { type GraphSource, localFiles, withGraphFile } from './graph-file.ts';
import { importInBatches } from './import-batches.ts';
import { localImportFiles, withImportFile } from './import-file.ts';
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
    // `bd import issues.jsonl`: likewise, with the import's own size limit.
    words = await withImportFile(words, files === localFiles ? localImportFiles : files);
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    io.err(`error: ${err.message}`);
    return EXIT.usage;
  }
  // Too big for one request: `bd import` goes in parts, `bd export` comes in pages.
  const paged = (await importInBatches(words, env, io)) ?? (await exportPages(words, env, io));
  if (paged !== null) return paged;
  return runRemote('bd', words, env, io);
}
