import { MAX_GRAPH_BYTES, mib } from '../domain/bead-graph.ts';
import { usageError } from '../domain/errors.ts';
import { boundedInput, type InputSource } from './bounded-input.ts';
import { splitGlobalFlags } from './global-flags.ts';

/** Where a plan's text comes from; tests pass their own. */
export type GraphSource = InputSource;

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

export const localFiles: GraphSource = boundedInput({
  maxBytes: MAX_GRAPH_BYTES,
  tooBig,
  unreadable: { code: 'graph_file', give: "the path of the plan's JSON file, or - to read it from stdin" },
});
