import { mib } from '../domain/bead-graph.ts';
import { usageError } from '../domain/errors.ts';
import { boundedInput } from './bounded-input.ts';
import { splitGlobalFlags } from './global-flags.ts';
import type { GraphSource } from './graph-file.ts';

/**
 * `bd import <file|->`: commands run in the service, which cannot see the caller's files, so
 * the CLI reads the file here and sends its text in place of the path (as `bd create --graph`
 * does, graph-file.ts). A text bigger than one request can carry goes in parts
 * (import-batches.ts). A file bigger than MAX_IMPORT_BYTES is refused before it is read whole.
 */
export const MAX_IMPORT_BYTES = 512 * 1024 * 1024;

export async function withImportFile(
  argv: readonly string[],
  source: GraphSource = localImportFiles,
): Promise<string[]> {
  const out = [...argv];
  const at = importFileIndex(out);
  if (at >= 0) out[at] = await fileText(out[at] as string, source);
  return out;
}

/** Where `bd import`'s file argument is in `argv` (after flags and their values); -1: none, or not `bd import`. */
export function importFileIndex(argv: readonly string[]): number {
  let split: ReturnType<typeof splitGlobalFlags>;
  try {
    split = splitGlobalFlags(argv);
  } catch {
    return -1; // the usual parse reports it
  }
  if (split.words[0] !== 'import' || split.flags.help) return -1;
  for (let i = argv.indexOf('import') + 1; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === '--rig' || word === '--first-line')
      i++; // their values
    else if (word === '--') return i + 1 < argv.length ? i + 1 : -1;
    else if (!word.startsWith('-') || word === '-') return i;
  }
  return -1;
}

async function fileText(where: string, source: GraphSource): Promise<string> {
  const text = where === '-' ? await source.stdin() : source.file(where);
  if (text.trim() === '')
    throw usageError(
      'invalid_jsonl',
      `${where === '-' ? 'stdin' : where} is empty; give a beads JSONL export (bd export)`,
    );
  return text;
}

const tooBig = (what: string, bytes: number) =>
  usageError(
    'import_too_large',
    `${what} is ${mib(bytes)}; one import may be at most ${mib(MAX_IMPORT_BYTES)}: split it by lines (split -l 100000) and import each part, then import them all again to link edges between parts`,
  );

export const localImportFiles: GraphSource = boundedInput({
  maxBytes: MAX_IMPORT_BYTES,
  tooBig,
  unreadable: { code: 'import_file', give: 'the path of a beads JSONL file, or - to read stdin' },
});
