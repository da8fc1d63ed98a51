/**
 * Supervision benchmark (issue 5): one witness pass over 10,000 polecats (target ≤ 100 ms) and
 * one stranded scan over 1,000 open convoys tracking 50,000 beads (target ≤ 200 ms), both on a
 * real SQLite ledger file, through the same functions the cron jobs call. The live signals come
 * from an in-memory map, as the service's KV mirrors serve them; every polecat is healthy and
 * every convoy is moving, so a pass measures the steady state (judging, not acting).
 *
 *   node bench/supervision.bench.ts [--quick]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CATALOG } from '../src/commands/catalog.ts';
import { CommandRegistry } from '../src/commands/registry.ts';
import type { Signals } from '../src/domain/witness.ts';
import type { WriteContext } from '../src/ledger/port.ts';
import { SqliteLedger } from '../src/ledger/sqlite/sqlite-ledger.ts';
import { FEEDER } from '../src/services/convoy-feeder.ts';
import { strandedScan } from '../src/services/stranded-scan.ts';
import { witnessPass } from '../src/services/witness.ts';
import { mergeResults, writeSection } from './report.ts';
import { describeMachine, percentile, type ResultRow, round } from './stats.ts';

const quick = process.argv.includes('--quick');
const RIGS = quick ? 20 : 100;
const POLECATS_PER_RIG = 100;
const CONVOYS = quick ? 200 : 1_000;
const BEADS_PER_CONVOY = 50;
const RUNS = quick ? 5 : 20;
const say = (m: string) => process.stderr.write(`${m}\n`);

const dir = mkdtempSync(join(tmpdir(), 'gt-supervision-bench-'));
const ledger = new SqliteLedger({ path: join(dir, 'ledger.db') });
await ledger.init();
const registry = new CommandRegistry({ ledger, now: () => new Date() }, CATALOG, (err) => say(String(err)));
const execute = (verb: string, args: Record<string, unknown>) =>
  registry.execute({ verb, args, actor: FEEDER, source: 'cli' });
const ctx = (): WriteContext => ({ actor: 'bench', now: new Date() });
const seen = new Map<string, Pick<Signals, 'process' | 'heartbeatAt'>>();
const observe = (agent: string) => seen.get(agent) ?? { process: null, heartbeatAt: null };

async function time(run: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const t0 = performance.now();
    await run();
    if (i >= 2) samples.push(performance.now() - t0);
  }
  return samples;
}

// 1. Witness: RIGS × 100 polecats, each hooked to a bead, each alive and printing.
say(`building ${RIGS * POLECATS_PER_RIG} hooked polecats…`);
for (let r = 0; r < RIGS; r++) {
  const rig = `rig${r}`;
  await ledger.addRig({ name: rig, prefix: `r${r}`, max_polecats: POLECATS_PER_RIG }, ctx());
}
const now = () => new Date().toISOString();
for (let r = 0; r < RIGS; r++) {
  const rig = `rig${r}`;
  const names = (await import('../src/domain/sling.ts')).polecatNames(POLECATS_PER_RIG);
  for (const name of names) {
    const agent = `${rig}/${name}`;
    const bead = await ledger.createBead(
      { title: `work of ${agent}`, rig, status: 'hooked', assignee: agent },
      ctx(),
    );
    await ledger.takeSlot(rig, bead.id, [name], ctx());
    seen.set(agent, {
      process: {
        bead: bead.id,
        alive: true,
        exit_code: null,
        output_at: now(),
        reported_at: now(),
        incarnation: 0,
      },
      heartbeatAt: now(),
    });
  }
}
const memory = new Map();
const thresholds = { spawnGraceMs: 60_000, stallMs: 180_000, maxRespawns: 3 };
let healthy = 0;
const witness = await time(async () => {
  const s = await witnessPass(
    { ledger, execute, observe, thresholds, escalateAfterMs: 30_000, memory },
    new Date(),
  );
  if (s.actions.length > 0) throw new Error(`unexpected witness actions: ${JSON.stringify(s.actions[0])}`);
  healthy = s.verdicts.healthy;
});

// 2. Stranded scan: CONVOYS open convoys × 50 beads: 20 closed, 20 hooked, 10 blocked by a hooked one.
say(`building ${CONVOYS} convoys tracking ${CONVOYS * BEADS_PER_CONVOY} beads…`);
await ledger.addRig({ name: 'work', prefix: 'wk', max_polecats: 10 }, ctx());
for (let c = 0; c < CONVOYS; c++) {
  const convoy = await ledger.createBead({ title: `convoy ${c}`, issue_type: 'convoy' }, ctx());
  let hooked = '';
  for (let b = 0; b < BEADS_PER_CONVOY; b++) {
    const status = b < 20 ? 'closed' : b < 40 ? 'hooked' : 'open';
    const bead = await ledger.createBead(
      { title: `c${c} b${b}`, rig: 'work', status, ...(status === 'hooked' && { assignee: 'work/Toast' }) },
      ctx(),
    );
    if (status === 'hooked') hooked = bead.id;
    if (status === 'open') await ledger.addDependency(bead.id, hooked, 'blocks', ctx());
    await ledger.addDependency(convoy.id, bead.id, 'tracks', ctx());
  }
}
const scanDeps = { ledger, execute, observe, staleMs: 180_000, spawnGraceMs: 60_000, maxRespawns: 3 };
const scan = await time(async () => {
  const s = await strandedScan(scanDeps, new Date());
  if (s.dispatched.length || s.released.length || s.stuck.length)
    throw new Error(`unexpected scan actions: ${JSON.stringify(s).slice(0, 200)}`);
});

const rows: ResultRow[] = [];
const row = (name: string, samples: number[], target: number): ResultRow => {
  const median = round(percentile(samples, 50), 1);
  const p99 = round(percentile(samples, 99), 1);
  return { name, value: median, unit: 'ms', target: `<= ${target} ms`, met: median <= target, median, p99 };
};
rows.push(row('witness.pass_10k_agents', witness, 100), row('stranded.scan_1k_convoys_50k_beads', scan, 200));
const yes = (ok: boolean | null) => (ok ? 'yes' : '**no**');
writeSection(
  'BENCHMARKS.md',
  'supervision',
  [
    '## Supervision (`npm run bench:supervision`)',
    '',
    `Machine: ${describeMachine()}. Date: ${new Date().toISOString().slice(0, 10)}.${quick ? ' **Quick mode.**' : ''} SQLite ledger file; ${RUNS} runs after 2 warm-ups; live signals from memory (as the service's KV mirrors serve them).`,
    '',
    '| measure | size | median | p99 | target | met |',
    '|---|---|---|---|---|---|',
    `| witness pass (judge every polecat, act on none) | ${RIGS * POLECATS_PER_RIG} polecats in ${RIGS} rigs, ${healthy} healthy | ${rows[0]?.median} ms | ${rows[0]?.p99} ms | ≤ 100 ms | ${yes(rows[0]?.met ?? false)} |`,
    `| stranded scan (steady state: nothing to dispatch, recover or report) | ${CONVOYS} open convoys, ${CONVOYS * BEADS_PER_CONVOY} tracked beads | ${rows[1]?.median} ms | ${rows[1]?.p99} ms | ≤ 200 ms | ${yes(rows[1]?.met ?? false)} |`,
  ].join('\n'),
);
mergeResults('bench/results.json', rows);
console.log(JSON.stringify(rows, null, 2));
await ledger.close();
rmSync(dir, { recursive: true, force: true });
