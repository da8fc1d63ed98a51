import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteLedger } from '../src/ledger/sqlite/sqlite-ledger.ts';
import { lcg } from './ledger-workload.ts';

/**
 * The 1M-bead ledger of bench/ledger-million.bench.ts, built once and cached in os.tmpdir().
 * Built through the ledger API, one call per bead and per edge (each its own transaction, with
 * its event, `is_blocked` ripple and cycle check, as every production write): no bulk SQL, so the
 * file is exactly what a year of `bd create` / `bd dep add` leaves. Each write is stamped at its
 * own time, spread evenly over one year, so the retention policy has a year of events to cut.
 */
export interface FixtureSize {
  beads: number;
  edges: number;
}

export interface Fixture extends FixtureSize {
  path: string;
  events: number;
  /** The first and last write's time: the year the events span. */
  from: string;
  to: string;
  buildSeconds: number;
}

const YEAR_MS = 365 * 24 * 3600_000;
const FROM = Date.parse('2025-01-01T00:00:00Z');
export const RIGS = 5;

/** The cached fixture of that size, built first when absent (a half-built one is rebuilt). */
export async function millionFixture(size: FixtureSize, say: (m: string) => void): Promise<Fixture> {
  const dir = join(tmpdir(), `gt-million-${size.beads}-${size.edges}-v1`);
  const done = join(dir, 'fixture.json');
  if (existsSync(done)) return JSON.parse(readFileSync(done, 'utf8')) as Fixture;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'ledger.db');
  const started = performance.now();
  const ledger = new SqliteLedger({ path });
  await ledger.init();
  const writes = RIGS + size.beads + size.edges;
  let n = 0;
  const ctx = () => ({ actor: 'bench', now: new Date(FROM + Math.floor((n++ * YEAR_MS) / writes)) });
  for (let r = 0; r < RIGS; r++)
    await ledger.addRig({ name: `r${r}`, prefix: `r${r}`, max_polecats: 10 }, ctx());
  const ids: string[] = [];
  for (let i = 0; i < size.beads; i++) {
    ids.push(
      (await ledger.createBead({ title: `bead ${i}`, rig: `r${i % RIGS}`, priority: (i % 5) as 0 }, ctx()))
        .id,
    );
    if ((i + 1) % 50_000 === 0)
      say(`  ${i + 1} beads (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  // As bench/ledger-workload.ts: a source in the newer half, its target strictly older (acyclic).
  const random = lcg(42);
  const half = Math.floor(size.beads / 2);
  for (let e = 0; e < size.edges; e++) {
    const source = half + (e % Math.ceil(size.beads / 2));
    const target = Math.floor(random() * source);
    await ledger.addDependency(ids[source] as string, ids[target] as string, 'blocks', ctx());
    if ((e + 1) % 50_000 === 0)
      say(`  ${e + 1} edges (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  const events = (await ledger.eventsSince(0, 1)).length > 0 ? n : 0;
  await ledger.close();
  const fixture: Fixture = {
    ...size,
    path,
    events,
    from: new Date(FROM).toISOString(),
    to: new Date(FROM + YEAR_MS).toISOString(),
    buildSeconds: Math.round((performance.now() - started) / 1000),
  };
  writeFileSync(done, JSON.stringify(fixture, null, 2));
  return fixture;
}
