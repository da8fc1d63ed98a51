/**
 * Memory benchmark (issue 8): the resident memory of `gt up` with 10,000 and 100,000 beads in
 * its ledger (every other bead blocked by the one before it, spread over five rigs), after it has
 * relayed their events and answered the reads an operator makes (`bd ready`, `bd dep cycles`,
 * `gt convoy list`, a /metrics scrape). The ledger is seeded directly through the SQLite adapter
 * (the API would take minutes for 100,000 creates); the service then starts on it like any
 * restart. 500 heartbeating agents are measured by bench:agents.
 *
 *   node bench/memory.bench.ts [--quick]      (quick: 1,000 and 5,000 beads)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteLedger } from '../src/ledger/sqlite/sqlite-ledger.ts';
import { Town } from '../test/e2e/town.ts';
import { mergeResults, writeSection } from './report.ts';
import { describeMachine, type ResultRow, round } from './stats.ts';

const quick = process.argv.includes('--quick');
const SIZES = quick ? [1_000, 5_000] : [10_000, 100_000];
const TARGET_MIB = 512;
const say = (m: string) => process.stderr.write(`${m}\n`);

const rows: ResultRow[] = [];
const lines: string[] = [];
for (const size of SIZES) {
  const town = new Town();
  try {
    const seeded = await seed(join(town.home, 'ledger.db'), size);
    await town.up(['--http-port', '0'], { GT_LOG_LEVEL: 'error' });
    const pid = town.runtime().pid;
    const rss = () =>
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    let peak = rss();
    const started = Date.now();
    await untilRelayed(town, size);
    const relaySeconds = (Date.now() - started) / 1000;
    for (const [tool, args] of [
      ['bd', ['ready', '--limit', '100']],
      ['bd', ['dep', 'cycles']],
      ['gt', ['convoy', 'list']],
    ] as const) {
      await town.json(tool, [...args]);
      peak = Math.max(peak, rss());
    }
    await fetch(`${town.runtime().http_url}/metrics`).then((r) => r.text());
    peak = Math.max(peak, rss());
    const name = `memory.service_rss_${size / 1000}k_beads`;
    rows.push({
      name,
      value: round(peak, 0),
      unit: 'MiB',
      target: `<= ${TARGET_MIB} MiB`,
      met: peak <= TARGET_MIB,
    });
    lines.push(
      `| ${size.toLocaleString('en')} beads, ${seeded.edges.toLocaleString('en')} blocking edges | ${relaySeconds.toFixed(1)} s | ${round(peak, 0)} MiB | ≤ ${TARGET_MIB} MiB | ${peak <= TARGET_MIB ? 'yes' : '**no**'} |`,
    );
    say(`${size} beads: peak RSS ${round(peak, 0)} MiB (events relayed in ${relaySeconds.toFixed(1)} s)`);
  } finally {
    await town.destroy();
  }
}

writeSection(
  'BENCHMARKS.md',
  'memory',
  [
    '## Memory (`npm run bench:memory`)',
    '',
    `Machine: ${describeMachine()}. Date: ${new Date().toISOString().slice(0, 10)}.${quick ? ' **Quick mode.**' : ''} \`gt up\` restarted on a seeded SQLite ledger; peak VmRSS of the service process while it relays every event to JetStream and answers \`bd ready\`, \`bd dep cycles\` over the whole graph, \`gt convoy list\` and a /metrics scrape. 500 heartbeating agents: see Agents.`,
    '',
    '| ledger | events relayed in | peak RSS | target | met |',
    '|---|---|---|---|---|',
    ...lines,
  ].join('\n'),
);
mergeResults('bench/results.json', rows);
console.log(JSON.stringify(rows, null, 2));
process.exit(0);

async function seed(path: string, size: number): Promise<{ edges: number }> {
  const ledger = new SqliteLedger({ path });
  await ledger.init();
  const ctx = () => ({ actor: 'bench', now: new Date() });
  for (let r = 0; r < 5; r++)
    await ledger.addRig({ name: `r${r}`, prefix: `r${r}`, max_polecats: 10 }, ctx());
  let previous: string | null = null;
  let edges = 0;
  for (let i = 0; i < size; i++) {
    const bead = await ledger.createBead({ title: `bead ${i}`, rig: `r${i % 5}` }, ctx());
    if (previous && i % 2 === 1) {
      await ledger.addDependency(bead.id, previous, 'blocks', ctx());
      edges++;
    }
    previous = bead.id;
  }
  await ledger.close();
  return { edges };
}

/** Waits until the relay has published every seeded event (the EVENTS stream holds them all). */
async function untilRelayed(town: Town, size: number): Promise<void> {
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await town.connectNats();
  try {
    const jsm = await jetstreamManager(nc);
    for (;;) {
      const { state } = await jsm.streams.info('GT_EVENTS');
      if (state.last_seq >= size) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await nc.close();
  }
}
