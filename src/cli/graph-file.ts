import { readFileSync, statSync } from 'node:fs';
import { MAX_GRAPH_BYTES, mib } from '../domain/bead-graph.ts';
import { usageError } from '../domain/errors.ts';
import { splitGlobalFlags } from './global-flags.ts';

/** Where a plan's text comes from; tests pass their own. */
export interface GraphSource {
  file(path: string): string;
  stdin(): Promise<string>;
}

/**
 * `bd create --graph <file|->`: commands run in the service, which cannot see the caller's
 * files, so the CLI reads the plan here — a path, `-` for stdin — and sends its text in place of
 * the path. Text that already is a JSON object (it starts with `{`) goes as it is. Too big a plan
 * is refused here, before it travels.
 */
export async function withGraphFile(
  argv: readonly string[],
  source: GraphSource = localFiles,
): Promise<string[]> {
  let split: ReturnType<typeof splitGlobalFlags>;
  try {
    split = splitGlobalFlags(argv);
  } catch {
    return [...argv]; // the usual parse reports it
  }
  if (split.words[0] !== 'create' || split.flags.help) return [...argv];
  const out = [...argv];
  const end = out.indexOf('--');
  for (let i = 0; i < (end < 0 ? out.length : end); i++) {
    const word = out[i] as string;
    if (word === '--graph' && i + 1 < out.length) out[i + 1] = await graphText(out[i + 1] as string, source);
    else if (word.startsWith('--graph=')) out[i] = `--graph=${await graphText(word.slice(8), source)}`;
  }
  return out;
}

async function graphText(where: string, source: GraphSource): Promise<string> {
  if (where.trimStart().startsWith('{')) return where;
  const text = where === '-' ? await source.stdin() : source.file(where);
  if (text.trim() === '')
    throw usageError(
      'invalid_graph',
      `${where === '-' ? 'stdin' : where} is empty; give the plan as JSON {"nodes": […], "edges": […]}`,
    );
  return text;
}

const tooBig = (what: string, bytes: number) =>
  usageError(
    'graph_too_large',
    `${what} is ${mib(bytes)}; a graph may be at most ${mib(MAX_GRAPH_BYTES)}: split the plan (a later graph names earlier beads with to_id)`,
  );

export const localFiles: GraphSource = {
  file(path) {
    let size: number;
    try {
      size = statSync(path).size;
    } catch (err) {
      throw usageError(
        'graph_file',
        `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); give the path of the plan's JSON file, or - to read it from stdin`,
      );
    }
    if (size > MAX_GRAPH_BYTES) throw tooBig(path, size);
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw usageError(
        'graph_file',
        `cannot read ${path} (${(err as Error).message}); give a readable file, or -`,
      );
    }
  },
  async stdin() {
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of process.stdin) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      bytes += buf.length;
      // Stop reading at the limit: a runaway pipe must not fill the memory.
      if (bytes > MAX_GRAPH_BYTES) throw tooBig('stdin', bytes);
      chunks.push(buf);
    }
    return Buffer.concat(chunks).toString('utf8');
  },
};
