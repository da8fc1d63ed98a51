import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One scenario's counts, as the summary table prints them. Every scenario file records its row
 * (in a directory the global setup owns) and the global teardown prints them all together,
 * because vitest runs each file in its own worker.
 */
export interface FaultRow {
  scenario: string;
  /** Beads the scenario ran through (0 when it ran none, e.g. an escalation race). */
  beads: number;
  /** Beads not closed at the end, or closed without their polecat's work commit. */
  lost: number;
  /** Beads a polecat was spawned for more often than the witness's recorded respawns explain. */
  dispatchedTwice: number;
  /** Mail a polecat was told was sent that is missing from the ledger inbox or the JetStream stream. */
  mailLost: number;
  /** Faults survived: service kills, server restarts, crash-loops ended by a person's decision… */
  recoveries: number;
  /** What else was counted (duplicate clicks refused, retried sends…), or why it was skipped. */
  note: string;
  skipped?: boolean;
}

export function recordRow(dir: string, row: FaultRow): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${row.scenario.replace(/[^\w-]+/g, '_')}.json`), JSON.stringify(row));
}

export function readRows(dir: string): FaultRow[] {
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return files.sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as FaultRow);
}

/** The summary table: fixed-width text, one row per scenario, totals at the bottom. */
export function formatTable(rows: readonly FaultRow[], label: string): string {
  const head = ['scenario', 'beads', 'lost', 'dispatched twice', 'mail lost', 'recoveries', 'notes'];
  const body = rows.map((r) =>
    r.skipped
      ? [r.scenario, '-', '-', '-', '-', '-', `SKIPPED: ${r.note}`]
      : [r.scenario, r.beads, r.lost, r.dispatchedTwice, r.mailLost, r.recoveries, r.note].map(String),
  );
  const ran = rows.filter((r) => !r.skipped);
  const sum = (k: 'beads' | 'lost' | 'dispatchedTwice' | 'mailLost' | 'recoveries') =>
    String(ran.reduce((n, r) => n + r[k], 0));
  const total = [
    'TOTAL',
    sum('beads'),
    sum('lost'),
    sum('dispatchedTwice'),
    sum('mailLost'),
    sum('recoveries'),
    '',
  ];
  const all = [head, ...body, total];
  const widths = head.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) =>
        i === 0 || i === r.length - 1 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number),
      )
      .join(' | ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  return [`fault-injection summary (${label})`, line(head), rule, ...body.map(line), rule, line(total)].join(
    '\n',
  );
}
