/**
 * Round trips per ledger operation on the MongoDB adapter, in both modes (test/support/round-trips.ts
 * counts the driver's command-monitoring events): a production figure that does not depend on this
 * machine's speed. Part of `npm run bench:ledger`; writes the "ledger-round-trips" section.
 */
import {
  countRoundTrips,
  MONGODB_TARGETS,
  OPERATIONS,
  type RoundTrips,
} from '../test/support/round-trips.ts';
import { describeMachine, percentile, type ResultRow } from './stats.ts';

const slug = (op: string) => op.replaceAll(' ', '_');

export async function benchRoundTrips(
  uri: string,
  server: string,
): Promise<{ markdown: string; rows: ResultRow[] }> {
  const stamp = Date.now();
  const modes = {
    mongodb: await countRoundTrips(uri, `bench_rt_mongodb_${stamp}`, 'mongodb', 20),
    compat: await countRoundTrips(uri, `bench_rt_compat_${stamp}`, 'compat', 20),
  };
  const rows: ResultRow[] = [];
  const lines = [
    '## Ledger round trips (`npm run bench:ledger`)',
    '',
    `Machine: ${describeMachine()}. Date: ${new Date().toISOString().slice(0, 10)}. Server: ${server}. 20 repetitions of each operation; a round trip is one command the driver sends (command monitoring), so these figures hold on any machine.`,
    '',
    '| mode | operation | median | max (p99) | target | met |',
    '|---|---|---|---|---|---|',
  ];
  for (const [mode, result] of Object.entries(modes) as Array<[keyof typeof modes, RoundTrips]>) {
    for (const op of OPERATIONS) {
      const median = percentile(result.samples[op], 50);
      const max = result.max[op];
      const target = mode === 'mongodb' ? MONGODB_TARGETS[op] : null;
      const met = target === null ? null : max <= target;
      lines.push(
        `| ${mode} | ${op} | ${median} | ${max} | ${target === null ? '—' : `≤ ${target}`} | ${met === null ? 'n/a' : met ? 'yes' : '**no**'} |`,
      );
      rows.push({
        name: `ledger.mongo_${mode}.round_trips.${slug(op)}`,
        value: max,
        unit: 'round trips',
        target: target === null ? null : `<= ${target}`,
        met,
        median,
        p99: max,
      });
    }
    if (mode === 'mongodb')
      lines.push(
        `| mongodb | outbox sweep, per write (timer, off the paths above) | ${result.sweepPerWrite.toFixed(2)} | — | — | n/a |`,
      );
  }
  lines.push(
    '',
    'Operations at the ledger level (the command layer adds its reads and one audit insert): **create** a top-level bead in a rig; **sling** the two writes `gt sling` makes (a polecat slot, the claim); **close** a bead nothing waits on; **close with a feed** a bead another waits on (the readiness ripple reads the dependent’s neighbourhood, flips it, and re-reads to confirm — docs/decisions.md “MongoDB adapter modes”; the issue’s ≤ 4 is for close, this row’s target is ours); **mail send**; **escalation decision** (`gt escalation ack`, one claim). Compat mode is what FerretDB needs (lock documents, a log found by its highest seq, the outbox cleared by a second compare-and-swap).',
  );
  return { markdown: lines.join('\n'), rows };
}
