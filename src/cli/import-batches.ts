import type { ImportResult } from '../commands/bd/import.ts';
import { bdImport } from '../commands/bd/import.ts';
import { splitGlobalFlags } from './global-flags.ts';
import { importFileIndex } from './import-file.ts';
import { EXIT, type Output } from './output.ts';
import { runRemote } from './run-remote.ts';

/**
 * `bd import` of a text bigger than one request carries (a NATS message is 8 MiB at most): the
 * CLI sends it in parts of whole lines, each saying where it starts in the file (`--first-line`,
 * so refusals name the file's lines), in three passes:
 *  1. every part with `--dry-run`: a bad line or an unknown prefix anywhere is refused before
 *     anything is written (and with `--dry-run` the answers are summed and that is all);
 *  2. every part for real;
 *  3. the parts whose edges named beads of a later part, again: now both ends exist (importing
 *     again changes nothing else).
 * A failure in pass 2 leaves the parts before it imported: running the same command again
 * finishes the import (a part already in changes nothing; beads of a part that failed part-way
 * were undone and are taken over). The service never holds more than one part.
 */

export const BATCH_BYTES = 4 * 1024 * 1024;
const MISSING = /is neither in the file nor in the ledger$/;

type Remote = typeof runRemote;

interface Part {
  text: string;
  firstLine: number;
}

/** Null when `words` is not a `bd import` too big for one request (the ordinary path serves it). */
export async function importInBatches(
  words: readonly string[],
  env: NodeJS.ProcessEnv,
  io: Output,
  remote: Remote = runRemote,
  batchBytes = BATCH_BYTES,
): Promise<number | null> {
  const at = importFileIndex(words);
  if (at < 0 || Buffer.byteLength(words[at] as string) <= batchBytes) return null;
  const parts = split(words[at] as string, batchBytes);
  const json = splitGlobalFlags(words).flags.json;
  const dryRun = words.includes('--dry-run');
  const send = async (part: Part, check: boolean): Promise<ImportResult | number> => {
    const argv = [...words];
    argv[at] = part.text;
    argv.push('--first-line', String(part.firstLine));
    if (check && !dryRun) argv.push('--dry-run');
    if (!json) argv.push('--json');
    const out: string[] = [];
    const code = await remote('bd', argv, env, { out: (t) => out.push(t), err: (t) => io.err(t) });
    return code === EXIT.ok ? (JSON.parse(out.join('')) as ImportResult) : code;
  };
  const checked: ImportResult[] = [];
  for (const part of parts) {
    const r = await send(part, true);
    if (typeof r === 'number') return r;
    checked.push(r);
  }
  if (dryRun) return print(sum(checked), json, io);
  const written: ImportResult[] = [];
  for (const [i, part] of parts.entries()) {
    const r = await send(part, false);
    if (typeof r === 'number') {
      io.err(
        `error: part ${i + 1} of ${parts.length} failed; the parts before it are imported: run the same command again to finish`,
      );
      return r;
    }
    written.push(r);
  }
  for (const [i, part] of parts.entries()) {
    if (!written[i]?.warnings.some((w) => MISSING.test(w))) continue;
    const r = await send(part, false);
    if (typeof r === 'number') return r;
    const first = written[i] as ImportResult;
    written[i] = { ...first, edges: first.edges + r.edges, warnings: r.warnings };
  }
  return print(sum(written), json, io);
}

/** Whole lines, each part at most `bytes` (a longer line goes alone: the service refuses it then). */
function split(text: string, bytes: number): Part[] {
  const parts: Part[] = [];
  let lines: string[] = [];
  let size = 0;
  let firstLine = 1;
  const all = text.split('\n');
  for (const [i, line] of all.entries()) {
    const n = Buffer.byteLength(line) + 1;
    if (lines.length > 0 && size + n > bytes) {
      parts.push({ text: lines.join('\n'), firstLine });
      lines = [];
      size = 0;
      firstLine = i + 1;
    }
    lines.push(line);
    size += n;
  }
  if (lines.some((l) => l.trim() !== '')) parts.push({ text: lines.join('\n'), firstLine });
  return parts;
}

function sum(results: readonly ImportResult[]): ImportResult {
  const total: ImportResult = {
    dry_run: results[0]?.dry_run ?? false,
    created: 0,
    updated: 0,
    unchanged: 0,
    comments: 0,
    edges: 0,
    ids: { created: [], updated: [] },
    changes: {},
    warnings: [],
  };
  for (const r of results) {
    total.created += r.created;
    total.updated += r.updated;
    total.unchanged += r.unchanged;
    total.comments += r.comments;
    total.edges += r.edges;
    total.ids.created.push(...r.ids.created);
    total.ids.updated.push(...r.ids.updated);
    Object.assign(total.changes, r.changes);
    total.warnings.push(...r.warnings);
  }
  return total;
}

function print(result: ImportResult, json: boolean, io: Output): number {
  io.out(json ? JSON.stringify(result, null, 2) : bdImport.text(result));
  return EXIT.ok;
}
