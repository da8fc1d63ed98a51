/**
 * A year of work in one SQLite ledger (issue 20, item 5): 1,000,000 beads, 500,000 blocking edges
 * and the 1,500,005 events they produced, spread over one year.
 *
 * Loading: through the ledger API, one call per bead and per edge (bench/million-fixture.ts: each
 * write its own transaction with its event, ripple and cycle check — no bulk SQL), once; the file
 * is cached in os.tmpdir() and copied for each run, since the run writes to it.
 *
 * Measured on the copy:
 *  1. `bd ready` as the command calls it (listReady, default limit 100), in-process;
 *  2. the real service (`gt up`, embedded nats-server) restarted on the file: its peak RSS while
 *     it relays every event to JetStream and answers operator reads (`bd ready`, `gt convoy list`,
 *     `bd dep cycles`, /metrics) the whole time;
 *  3. close → dispatch through that service (bench/feeding-chains.ts, as bench:feeding measures
 *     it), once the relay has caught up;
 *  4. the retention job's compaction (domain/retention.ts, 30 days, the relay's real mark) of the
 *     year, in-process after the service stopped: time, RSS and the longest the event loop was blocked.
 *
 *   npm run bench:million [-- --quick]      (quick: 100,000 beads, 50,000 edges)
 */
import { copyFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { eventsStream } from '../src/bus/streams.ts';
import { SqliteLedger } from '../src/ledger/sqlite/sqlite-ledger.ts';
import { relayMark } from '../src/services/event-relay.ts';
import { compactHistory } from '../src/services/history-compaction.ts';
import { Town } from '../test/e2e/town.ts';
import { apiCaller, dispatchTimer, launchChains } from './feeding-chains.ts';
import { millionFixture } from './million-fixture.ts';
import { mergeResults, writeSection } from './report.ts';
import { rssMiB, rssSampler } from './rss.ts';
import { describeMachine, percentile, type ResultRow, round } from './stats.ts';

const quick = process.argv.includes('--quick');
const SIZE = quick ? { beads: 100_000, edges: 50_000 } : { beads: 1_000_000, edges: 500_000 };
const READY_SAMPLES = 500;
const FEED_SAMPLES = quick ? 50 : 200;
const RSS_TARGET_MIB = 1024;
const RETENTION = { eventDays: 30, auditDays: 365 };
const say = (m: string) => process.stderr.write(`${m}\n`);
const stats = (ms: number[]) => ({ median: round(percentile(ms, 50), 3), p99: round(percentile(ms, 99), 3) });

say(`machine: ${describeMachine()}`);
const fixture = await millionFixture(SIZE, say);
say(`fixture: ${fixture.beads} beads, ${fixture.edges} edges, ${fixture.events} events (${fixture.path})`);
const town = new Town();
const path = join(town.home, 'ledger.db');
copyFileSync(fixture.path, path);

// 1. `bd ready`.
const ledger = new SqliteLedger({ path });
await ledger.init();
const readyMs: number[] = [];
for (let i = 0; i < READY_SAMPLES + 20; i++) {
  const t0 = performance.now();
  const ready = await ledger.listReady({});
  if (i >= 20) readyMs.push(performance.now() - t0); // the first 20 warm the page cache
  if (ready.length !== 100) throw new Error(`ready returned ${ready.length} beads: the fixture is wrong`);
}
await ledger.close();
const ready = stats(readyMs);
say(`bd ready: p50 ${ready.median} ms, p99 ${ready.p99} ms`);

// 2. The service relays the year while serving reads.
await town.up(['--http-port', '0'], { GT_LOG_LEVEL: 'error' }, 180_000);
const service = rssSampler(town.runtime().pid);
const nc = await town.connectNats();
const jsm = await jetstreamManager(nc);
const call = apiCaller(nc);
const streamed = async () => (await jsm.streams.info(eventsStream('gt'))).state.last_seq;
const load = [loadavg()[0] ?? 0];
const relayStart = Date.now();
let reads = 0;
await call('bd dep cycles', {}); // once: it walks every edge
while ((await streamed()) < fixture.events) {
  await call('bd ready', {});
  await call('gt convoy list', {});
  await fetch(`${town.runtime().http_url}/metrics`).then((r) => r.text());
  reads += 3;
}
const relaySeconds = round((Date.now() - relayStart) / 1000, 1);
const relayPeak = service.stepPeak();
say(
  `relayed ${fixture.events} events in ${relaySeconds} s serving ${reads} reads; peak RSS ${round(relayPeak, 0)} MiB`,
);

// 3. Close → dispatch on the 1M-bead ledger.
await call('gt rig add', { name: 'alpha', prefix: 'al', 'max-polecats': '1000' });
const timer = dispatchTimer(nc, call);
const chains = await launchChains(call, 'alpha', FEED_SAMPLES);
await timer.untilDispatched(
  chains.map((c) => c.a),
  60_000,
);
const feedMs: number[] = [];
for (const chain of chains) feedMs.push(await timer.closeAndWait(chain));
timer.stop();
const feed = stats(feedMs);
const servicePeak = service.peak();
load.push(loadavg()[0] ?? 0);
say(
  `close → dispatch: p50 ${feed.median} ms, p99 ${feed.p99} ms; service peak RSS ${round(servicePeak, 0)} MiB`,
);
const mark = await relayMark(nc, 'gt');
await nc.close();
await town.down();
service.stop();

// 4. Compaction of the year, as the leader's job runs it (at the year's end, with the relay's mark).
const compacting = new SqliteLedger({ path });
await compacting.init();
const before = rssMiB();
const self = rssSampler('self', 20);
let longestBlock = 0;
let tick = performance.now();
const lag = setInterval(() => {
  longestBlock = Math.max(longestBlock, performance.now() - tick);
  tick = performance.now();
}, 1);
const first = await compactHistory(compacting, RETENTION, mark === null ? [] : [mark], new Date(fixture.to));
clearInterval(lag);
const again = await compactHistory(compacting, RETENTION, mark === null ? [] : [mark], new Date(fixture.to));
const compactionPeak = self.peak();
self.stop();
const remaining = (await compacting.eventsSince(0, 10_000_000)).length;
await compacting.close();
const growth = compactionPeak - before;
say(
  `compaction: ${first.removed.events} events in ${first.seconds} s (again: ${again.removed.events} in ${again.seconds} s), ` +
    `${remaining} left; RSS ${round(before, 0)} → peak ${round(compactionPeak, 0)} MiB; longest block ${round(longestBlock, 1)} ms`,
);
const fileMiB = round(statSync(path).size / 2 ** 20, 0);
await town.destroy();

const kib = (n: number) => n.toLocaleString('en');
const ok = {
  ready: ready.median <= 5,
  feed50: feed.median <= 10,
  feed99: feed.p99 <= 50,
  rss: servicePeak <= RSS_TARGET_MIB,
  growth: growth <= 64,
  block: longestBlock <= 100,
};
const rows: ResultRow[] = [
  {
    name: 'million.sqlite.ready_latency_1m',
    value: ready.median,
    unit: 'ms',
    target: 'p50 <= 5 ms',
    met: ok.ready,
    ...ready,
  },
  {
    name: 'million.feeding.event_driven_p50',
    value: feed.median,
    unit: 'ms',
    target: 'p50 <= 10 ms',
    met: ok.feed50,
    ...feed,
  },
  {
    name: 'million.feeding.event_driven_p99',
    value: feed.p99,
    unit: 'ms',
    target: 'p99 <= 50 ms',
    met: ok.feed99,
    ...feed,
  },
  {
    name: 'million.service_peak_rss',
    value: round(servicePeak, 0),
    unit: 'MiB',
    target: `<= ${RSS_TARGET_MIB} MiB`,
    met: ok.rss,
  },
  { name: 'million.compaction_seconds', value: first.seconds, unit: 's', target: null, met: null },
  {
    name: 'million.compaction_rss_growth',
    value: round(growth, 0),
    unit: 'MiB',
    target: '<= 64 MiB',
    met: ok.growth,
  },
  {
    name: 'million.compaction_longest_block',
    value: round(longestBlock, 1),
    unit: 'ms',
    target: '<= 100 ms',
    met: ok.block,
  },
];
const met = (yes: boolean) => (yes ? 'yes' : '**no**');
writeSection(
  'BENCHMARKS.md',
  'million',
  [
    '## A year in one ledger: 1,000,000 beads (`npm run bench:million`)',
    '',
    `Machine: ${describeMachine()}. Date: ${new Date().toISOString().slice(0, 10)}.${quick ? ' **Quick mode (100,000 beads).**' : ''} ` +
      `SQLite ledger of ${kib(fixture.beads)} beads in 5 rigs, ${kib(fixture.edges)} blocking edges and their ${kib(fixture.events)} events, ` +
      `written through the ledger API one call per bead and per edge (each its own transaction, as in production; built once in ${fixture.buildSeconds} s and cached), ` +
      `stamped evenly over one year (${fixture.from.slice(0, 10)} – ${fixture.to.slice(0, 10)}). File: ${fileMiB} MiB. ` +
      `Load average (1 min) when the service phase began and ended: ${load.map((l) => l.toFixed(1)).join(' and ')} on ${describeMachine().split(' ')[0]} cores.`,
    '',
    '| measure | size | median | p99 | result | target | met |',
    '|---|---|---|---|---|---|---|',
    `| \`bd ready\` (listReady, default limit 100), in-process | ${READY_SAMPLES} calls | ${ready.median} ms | ${ready.p99} ms | — | p50 ≤ 5 ms | ${met(ok.ready)} |`,
    `| close → dispatch, real \`gt up\` on the file (bd close over the NATS API until the dependent bead's dispatch message) | ${FEED_SAMPLES} convoys A → B | ${feed.median} ms | ${feed.p99} ms | — | p50 ≤ 10 ms, p99 ≤ 50 ms | ${met(ok.feed50 && ok.feed99)} |`,
    `| service peak RSS: relaying all ${kib(fixture.events)} events (${relaySeconds} s) while serving ${reads} reads (\`bd ready\`, \`gt convoy list\`, /metrics; \`bd dep cycles\` once), then the feeding above | sampled every 100 ms | — | — | ${round(servicePeak, 0)} MiB (relaying: ${round(relayPeak, 0)} MiB) | ≤ 1 GiB | ${met(ok.rss)} |`,
    `| compaction of the year (30 days kept, relay mark ${mark ?? 'none'}; batches of 2,000) | ${kib(first.removed.events)} events removed, ${kib(remaining)} left | — | — | ${first.seconds} s; run again: ${again.removed.events} removed in ${again.seconds} s | — | n/a |`,
    `| compaction RSS (the compacting process, sampled every 20 ms) | | — | — | ${round(before, 0)} → peak ${round(compactionPeak, 0)} MiB (+${round(growth, 0)}) | growth ≤ 64 MiB | ${met(ok.growth)} |`,
    `| compaction: longest the event loop (and the writer) was held | | — | — | ${round(longestBlock, 1)} ms | ≤ 100 ms | ${met(ok.block)} |`,
    '',
    "Found by this benchmark and fixed (before → after, same machine): `gt convoy list`, the stranded scan's open convoys and",
    'the /metrics counts scanned the beads table (0.6–1.1 s each at 1M beads, the service blocked meanwhile) → index',
    '`beads_type_status` (under 1 ms; counts about 0.1 s); `bd dep cycles` asked the database bead by bead (15–37 s) and then',
    'held the graph as objects (service RSS 1,117 MiB: target not met) → edges streamed into typed arrays of rowids, beads',
    'that lead to no cycle peeled off first (src/ledger/sqlite/cycle-scan.ts: about 2 s, the peak above).',
  ].join('\n'),
);
mergeResults('bench/results.json', rows);
console.log(JSON.stringify(rows, null, 2));
process.exit(0);
