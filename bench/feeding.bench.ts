/**
 * Feeding benchmark (issue 3): latency from `bd close` (through the NATS API, as the CLI sends
 * it) to the dispatch message of the bead it unblocks, with 1,000 open convoys, event-driven;
 * then the same measurement with the feeder replaced by a 5 s poll of the event log (Gas Town's
 * design). Targets (event-driven): p50 ≤ 10 ms, p99 ≤ 50 ms.
 *
 *   node bench/feeding.bench.ts [--quick]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { serveApi } from '../src/bus/api-server.ts';
import { connectService } from '../src/bus/connection.ts';
import { consumeDurable } from '../src/bus/durable-consumer.ts';
import { startNatsServer } from '../src/bus/nats-server-process.ts';
import { ensureStreams, eventsStream } from '../src/bus/streams.ts';
import { CATALOG } from '../src/commands/catalog.ts';
import { CommandRegistry } from '../src/commands/registry.ts';
import { SqliteLedger } from '../src/ledger/sqlite/sqlite-ledger.ts';
import { ConvoyFeeder, FEEDER } from '../src/services/convoy-feeder.ts';
import { Dispatcher } from '../src/services/dispatcher.ts';
import { EventRelay } from '../src/services/event-relay.ts';
import { apiCaller, dispatchTimer, launchChains } from './feeding-chains.ts';
import { mergeResults, writeSection } from './report.ts';
import { describeMachine, percentile, type ResultRow, round } from './stats.ts';

const quick = process.argv.includes('--quick');
const CONVOYS = quick ? 200 : 1_000;
const EVENT_SAMPLES = quick ? 50 : 200;
const POLL_SAMPLES = quick ? 4 : 12;
const POLL_MS = 5_000;
const log = pino({ level: 'silent' });
const say = (m: string) => process.stderr.write(`${m}\n`);

const dir = mkdtempSync(join(tmpdir(), 'gt-feed-bench-'));
const nats = await startNatsServer({ storeDir: join(dir, 'nats') });
const nc = await connectService(nats.url, 'feed-bench');
const ledger = new SqliteLedger({ path: join(dir, 'ledger.db') });
await ledger.init();
const services = { ledger, now: () => new Date(), onWrite: () => {} };
const registry = new CommandRegistry(services, CATALOG, (err) => say(String(err)));
const api = serveApi(nc, 'gt', (call) => registry.execute(call));
const jsm = await ensureStreams(nc, 'gt');
const relay = await EventRelay.open(nc, ledger, 'gt', log);
await relay.start();
services.onWrite = () => relay.wake();
const dispatcher = new Dispatcher(nc, 'gt');
const feeder = new ConvoyFeeder(ledger, (verb, args) =>
  registry.execute({ verb, args, actor: FEEDER, source: 'system' }),
);
const stopDispatch = await consumeDurable(
  nc,
  jsm,
  eventsStream('gt'),
  'dispatcher',
  'gt.evt.bead_claimed.>',
  (m) => dispatcher.handle(m),
  (err) => say(String(err)),
);

const call = apiCaller(nc);

say(`setting up ${CONVOYS} open convoys (chain A → B, A hooked)…`);
await call('gt rig add', { name: 'alpha', prefix: 'al', 'max-polecats': '1000' });
const chains = await launchChains(call, 'alpha', CONVOYS);
await relay.pump();

const timer = dispatchTimer(nc, call);
const closeAndWait = timer.closeAndWait;

say('event-driven feeding…');
const stopFeeder = await consumeDurable(
  nc,
  jsm,
  eventsStream('gt'),
  'convoy-feeder',
  'gt.evt.bead_closed.>',
  (m) => feeder.handle(m),
  (err) => say(String(err)),
);
const eventMs: number[] = [];
for (const chain of chains.slice(0, EVENT_SAMPLES)) eventMs.push(await closeAndWait(chain));
await stopFeeder();

say(`5 s poll of the event log (Gas Town's design), ${POLL_SAMPLES} samples…`);
let hwm = (await ledger.eventsSince(0, 1_000_000)).at(-1)?.seq ?? 0;
const poller = setInterval(async () => {
  for (const e of await ledger.eventsSince(hwm, 10_000)) {
    hwm = e.seq;
    if (e.type === 'bead_closed') await feeder.onClosed(e);
  }
}, POLL_MS);
const pollMs: number[] = [];
for (const chain of chains.slice(EVENT_SAMPLES, EVENT_SAMPLES + POLL_SAMPLES)) {
  await new Promise((r) => setTimeout(r, Math.random() * POLL_MS)); // closes land anywhere in the poll cycle
  pollMs.push(await closeAndWait(chain));
}
clearInterval(poller);

const ev50 = round(percentile(eventMs, 50), 2);
const ev99 = round(percentile(eventMs, 99), 2);
const po50 = round(percentile(pollMs, 50), 0);
const po99 = round(percentile(pollMs, 99), 0);
const ratio = round(po50 / ev50, 0);
const rows: ResultRow[] = [
  {
    name: 'feeding.event_driven_p50',
    value: ev50,
    unit: 'ms',
    target: 'p50 <= 10 ms',
    met: ev50 <= 10,
    median: ev50,
    p99: ev99,
  },
  {
    name: 'feeding.event_driven_p99',
    value: ev99,
    unit: 'ms',
    target: 'p99 <= 50 ms',
    met: ev99 <= 50,
    median: ev50,
    p99: ev99,
  },
  { name: 'feeding.poll_5s_p50', value: po50, unit: 'ms', target: null, met: null, median: po50, p99: po99 },
  { name: 'feeding.poll_over_event_ratio', value: ratio, unit: 'x', target: null, met: null },
];
writeSection(
  'BENCHMARKS.md',
  'feeding',
  [
    '## Feeding latency (`npm run bench:feeding`)',
    '',
    `Machine: ${describeMachine()}. Date: ${new Date().toISOString().slice(0, 10)}.${quick ? ' **Quick mode.**' : ''}`,
    `${CONVOYS} open convoys, each a chain A → B with A hooked. Measured: \`bd close A\` sent over the NATS API until B's`,
    'dispatch message arrives on `gt.dispatch.alpha`; real nats-server, SQLite ledger, relay, dispatcher and feeder in one process.',
    '',
    '| feeding | samples | median | p99 | target | met |',
    '|---|---|---|---|---|---|',
    `| event-driven (this service) | ${eventMs.length} | ${ev50} ms | ${ev99} ms | p50 ≤ 10 ms, p99 ≤ 50 ms | ${ev50 <= 10 && ev99 <= 50 ? 'yes' : '**no**'} |`,
    `| 5 s poll of the event log (Gas Town) | ${pollMs.length} | ${po50} ms | ${po99} ms | — | — |`,
    '',
    `Ratio of medians, poll / event-driven: **${ratio}×**.`,
  ].join('\n'),
);
mergeResults('bench/results.json', rows);
console.log(JSON.stringify(rows, null, 2));

timer.stop();
await stopDispatch();
await relay.stop();
await api.drain();
await nc.drain();
await ledger.close();
await nats.stop();
rmSync(dir, { recursive: true, force: true });
