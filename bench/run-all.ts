/**
 * `npm run bench [-- --quick]`: every benchmark, one after the other (never in parallel: they
 * share two cores), each writing its section of BENCHMARKS.md and its rows of
 * bench/results.json; then a summary section at the top of BENCHMARKS.md with every row, its
 * target and whether it is met. `--quick` uses each benchmark's small sizes (for reviews, under
 * two minutes); naming benchmarks runs only those (`npm run bench -- fleet memory`).
 * Exit code 1 when a benchmark fails to run; unmet targets are reported, not failures.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSection } from './report.ts';
import { describeMachine, type ResultRow } from './stats.ts';

const BENCHES = [
  'ledger',
  'staging',
  'feeding',
  'agents',
  'supervision',
  'chat',
  'fleet',
  'memory',
  'mq',
  'parsers',
  'import',
  // The 1M-bead ledger: builds a cached fixture (about 6 minutes) on its first run.
  'ledger-million',
] as const;
const quick = process.argv.includes('--quick');
const only = process.argv.filter((a) => !a.startsWith('--')).slice(2);
const dir = import.meta.dirname;
const say = (m: string) => process.stderr.write(`${m}\n`);

const runs: Array<{ name: string; seconds: number; ok: boolean }> = [];
for (const name of BENCHES.filter((b) => only.length === 0 || only.includes(b))) {
  say(`\n== bench:${name}${quick ? ' (quick)' : ''}`);
  const started = Date.now();
  const r = spawnSync(process.execPath, [join(dir, `${name}.bench.ts`), ...(quick ? ['--quick'] : [])], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: process.env,
  });
  runs.push({ name, seconds: (Date.now() - started) / 1000, ok: r.status === 0 });
  if (r.status !== 0) say(`!! bench:${name} failed (exit ${r.status ?? r.signal})`);
}

const rows = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as ResultRow[];
const shown = (v: number | null | undefined, unit: string) =>
  v === undefined || v === null ? '—' : `${v} ${unit}`;
const metText = (r: ResultRow) => (r.met === null ? 'n/a' : r.met ? 'yes' : '**no**');
const unmet = rows.filter((r) => r.met === false);
writeSection(
  join(dir, '../BENCHMARKS.md'),
  'summary',
  [
    '## Summary (`npm run bench`)',
    '',
    `Machine: ${describeMachine()}. Date: ${new Date().toISOString().slice(0, 10)}.${quick ? ' **Quick mode** (small sizes).' : ''} ` +
      `Ran: ${runs.map((r) => `${r.name} ${r.seconds.toFixed(0)} s${r.ok ? '' : ' (FAILED)'}`).join(', ')}. ` +
      `Every row of \`bench/results.json\`; the sections below give sizes and method.`,
    '',
    '| benchmark | value | median | p99 | target | met |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${shown(r.value, r.unit)} | ${shown(r.median, r.stat_unit ?? r.unit)} | ${shown(r.p99, r.stat_unit ?? r.unit)} | ${r.target ?? '—'} | ${metText(r)} |`,
    ),
    '',
    unmet.length === 0 ? 'Every target is met.' : `Not met: ${unmet.map((r) => r.name).join(', ')}.`,
  ].join('\n'),
  true,
);
say(
  `\n${rows.length} results; ${unmet.length === 0 ? 'every target met' : `NOT MET: ${unmet.map((r) => r.name).join(', ')}`}`,
);
for (const r of runs) say(`  ${r.ok ? 'ok  ' : 'FAIL'} bench:${r.name} ${r.seconds.toFixed(0)} s`);
process.exit(runs.every((r) => r.ok) ? 0 : 1);
