import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { ResultRow } from './stats.ts';

/**
 * Writes one benchmark's section of BENCHMARKS.md (between markers, so several benchmarks share
 * the file; a new section goes last, or first with `atTop`) and merges its rows into bench/results.json (replacing rows of the same name).
 */
export function writeSection(mdPath: string, key: string, markdown: string, atTop = false): void {
  const start = `<!-- ${key}:start -->`;
  const end = `<!-- ${key}:end -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const current = existsSync(mdPath)
    ? readFileSync(mdPath, 'utf8')
    : '# Benchmarks\n\nResults of `bench/`; regenerate with the npm scripts named in each section.\n';
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const firstSection = current.indexOf('<!-- ');
  const next =
    from >= 0 && to > from
      ? current.slice(0, from) + block + current.slice(to + end.length)
      : atTop && firstSection >= 0
        ? `${current.slice(0, firstSection)}${block}\n\n${current.slice(firstSection)}`
        : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(mdPath, next);
}

export function mergeResults(jsonPath: string, rows: readonly ResultRow[]): void {
  const existing: ResultRow[] = existsSync(jsonPath)
    ? (JSON.parse(readFileSync(jsonPath, 'utf8')) as ResultRow[])
    : [];
  const names = new Set(rows.map((r) => r.name));
  writeFileSync(
    jsonPath,
    `${JSON.stringify([...existing.filter((r) => !names.has(r.name)), ...rows], null, 2)}\n`,
  );
}
