import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { SCALE } from './scale.ts';
import { formatTable, readRows } from './tally.ts';

/**
 * Global setup of the fault-injection suite: a directory where each scenario file records its
 * counts, and at the end of the run one summary table on stdout (nothing when no scenario ran,
 * e.g. a filtered `vitest run test/unit`).
 */
let dir = '';

export function setup(project: TestProject): void {
  dir = mkdtempSync(join(tmpdir(), 'gt-faults-summary-'));
  project.provide('faultSummaryDir', dir);
}

export function teardown(): void {
  const rows = readRows(dir);
  if (rows.length > 0) process.stdout.write(`\n${formatTable(rows, SCALE.label)}\n\n`);
  rmSync(dir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    faultSummaryDir: string;
  }
}
