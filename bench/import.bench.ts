/**
 * Import/export benchmark (issue 19): a beads JSONL file of 100,000 issues (a tenth with a
 * blocking edge, a twentieth with a comment, a third closed) through the real CLI into `gt up`
 * on SQLite — the CLI sends it in 4 MiB parts (cli/import-batches.ts) — then imported again
 * (nothing changes) and exported (in pages) to a file. Peak VmRSS of the service process is
 * sampled every 100 ms throughout.
 *
 *   npm run bench:import [-- --quick]      (quick: 10,000 issues)
 */
import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Town } from '../test/e2e/town.ts';
import { mergeResults, writeSection } from './report.ts';
import { describeMachine, type ResultRow, round } from './stats.ts';

const quick = process.argv.includes('--quick');
const SIZE = quick ? 10_000 : 100_000;
const TARGET_MIB = 512;
const BD = resolve(import.meta.dirname, '../bin/bd.mjs');
const say = (m: string) => process.stderr.write(`${m}\n`);

const town = new Town();
const rows: ResultRow[] = [];
try {
  await town.up(['--http-port', '0'], { GT_LOG_LEVEL: 'error' });
  await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al']);
  const pid = town.runtime().pid;
  const rss = () =>
    Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  let peak = rss();
  let phase = peak;
  const sampler = setInterval(() => {
    const now = rss();
    peak = Math.max(peak, now);
    phase = Math.max(phase, now);
  }, 100);
  /** The peak since the last call (the step just done). */
  const stepPeak = () => {
    const p = Math.max(phase, rss());
    phase = rss();
    return p;
  };
  const file = join(town.home, 'issues.jsonl');
  writeFileSync(file, issues(SIZE));
  const mib = statSync(file).size / 1048576;
  const bd = async (args: string[]) => {
    const started = performance.now();
    await new Promise<void>((done, fail) =>
      execFile(
        process.execPath,
        [BD, ...args],
        {
          env: town.env(),
          maxBuffer: 64 * 1024 * 1024,
        },
        (err, _out, stderr) => (err ? fail(new Error(`bd ${args[0]}: ${stderr}`)) : done()),
      ),
    );
    return (performance.now() - started) / 1000;
  };
  const importS = await bd(['import', file, '--json']);
  const importPeak = stepPeak();
  say(`import ${SIZE}: ${importS.toFixed(1)} s, peak ${round(peak, 0)} MiB`);
  const againS = await bd(['import', file, '--json']);
  const againPeak = stepPeak();
  say(`re-import: ${againS.toFixed(1)} s`);
  const out = join(town.home, 'export.jsonl');
  const exportS = await exportTo(out);
  const exportPeak = stepPeak();
  say(`export: ${exportS.toFixed(1)} s`);
  clearInterval(sampler);
  peak = Math.max(peak, rss());
  const k = `${SIZE / 1000}k`;
  rows.push(
    { name: `import.${k}_issues_s`, value: round(importS, 1), unit: 's', target: '—', met: null },
    { name: `import.${k}_reimport_s`, value: round(againS, 1), unit: 's', target: '—', met: null },
    { name: `import.${k}_export_s`, value: round(exportS, 1), unit: 's', target: '—', met: null },
    {
      name: `import.${k}_service_peak_rss`,
      value: round(peak, 0),
      unit: 'MiB',
      target: `<= ${TARGET_MIB} MiB`,
      met: peak <= TARGET_MIB,
    },
  );
  writeSection(
    'BENCHMARKS.md',
    'import',
    [
      '## Import and export (`npm run bench:import`)',
      '',
      `Machine: ${describeMachine()}. Date: ${new Date().toISOString().slice(0, 10)}.${quick ? ' **Quick mode.**' : ''} A beads JSONL file of ${SIZE.toLocaleString('en')} issues (${mib.toFixed(1)} MiB; a tenth with a blocking edge, a twentieth with a comment, a third closed) through the real CLI into \`gt up\` on SQLite: the CLI checks and sends it in 4 MiB parts; then the same file again (nothing changes); then \`bd export\` (pages of 4 MiB) to a file. Peak VmRSS of the service sampled every 100 ms throughout (the relay publishes every event meanwhile).`,
      '',
      '| step | time | service peak RSS | target | met |',
      '|---|---|---|---|---|',
      `| import ${SIZE.toLocaleString('en')} issues | ${importS.toFixed(1)} s | ${round(importPeak, 0)} MiB | | |`,
      `| import the same file again | ${againS.toFixed(1)} s | ${round(againPeak, 0)} MiB | | |`,
      `| export | ${exportS.toFixed(1)} s | ${round(exportPeak, 0)} MiB | | |`,
      `| all three (peak) | | ${round(peak, 0)} MiB | ≤ ${TARGET_MIB} MiB | ${peak <= TARGET_MIB ? 'yes' : '**no**'} |`,
    ].join('\n'),
  );
  mergeResults('bench/results.json', rows);
  console.log(JSON.stringify(rows, null, 2));
} finally {
  await town.destroy();
}
process.exit(0);

async function exportTo(path: string): Promise<number> {
  const started = performance.now();
  await new Promise<void>((done, fail) => {
    const child = execFile(
      process.execPath,
      [BD, 'export'],
      { env: town.env(), maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) return fail(new Error(`bd export: ${stderr}`));
        writeFileSync(path, stdout);
        done();
      },
    );
    child.stdin?.end();
  });
  return (performance.now() - started) / 1000;
}

function issues(n: number): string {
  const id = (i: number) => `al-${i.toString(36).padStart(5, '0')}`;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const dependencies =
      i % 10 === 1 ? [{ depends_on_id: id(i - 1), type: 'blocks', created_at: '2026-01-02T00:00:00Z' }] : [];
    const comments =
      i % 20 === 0 ? [{ author: 'bob', text: 'a comment', created_at: '2026-01-03T00:00:00Z' }] : [];
    lines.push(
      JSON.stringify({
        id: id(i),
        title: `Issue ${i}`,
        description: 'Some description text. '.repeat(5),
        status: i % 3 === 0 ? 'closed' : 'open',
        priority: i % 5,
        issue_type: 'task',
        labels: ['backend', 'imported'],
        created_at: '2026-01-01T00:00:00Z',
        updated_at: '2026-01-04T00:00:00Z',
        comments,
        dependencies,
      }),
    );
  }
  return lines.join('\n');
}
