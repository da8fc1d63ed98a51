import type { ExportResult } from '../commands/bd/export.ts';
import { splitGlobalFlags } from './global-flags.ts';
import { EXIT, type Output } from './output.ts';
import { runRemote } from './run-remote.ts';

type Remote = typeof runRemote;

/**
 * `bd export`: the service answers a page at a time (commands/bd/export.ts: at most 4 MiB, with
 * the cursor of the next); the CLI asks for every page and prints them as one file, each page
 * as it comes, so a ledger of any size goes out and neither side holds it whole. Null when
 * `words` is not a `bd export` to page (the caller gave `--after` or `--limit`: one page, as asked).
 */
export async function exportPages(
  words: readonly string[],
  env: NodeJS.ProcessEnv,
  io: Output,
  remote: Remote = runRemote,
): Promise<number | null> {
  let split: ReturnType<typeof splitGlobalFlags>;
  try {
    split = splitGlobalFlags(words);
  } catch {
    return null; // the usual parse reports it
  }
  if (split.words[0] !== 'export' || split.flags.help) return null;
  if (words.some((w) => /^--(after|limit)(=|$)/.test(w))) return null;
  const json = split.flags.json;
  const pages: string[] = [];
  let issues = 0;
  let after: string | null = null;
  do {
    const out: string[] = [];
    const argv = [...words, ...(json ? [] : ['--json']), ...(after ? ['--after', after] : [])];
    const code = await remote('bd', argv, env, { out: (t) => out.push(t), err: (t) => io.err(t) });
    if (code !== EXIT.ok) return code;
    const page = JSON.parse(out.join('')) as ExportResult;
    issues += page.issues;
    if (page.jsonl !== '') {
      if (json) pages.push(page.jsonl);
      else io.out(page.jsonl);
    }
    after = page.next;
  } while (after !== null);
  if (json) io.out(JSON.stringify({ issues, jsonl: pages.join('\n'), next: null }, null, 2));
  return EXIT.ok;
}
