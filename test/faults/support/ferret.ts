import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild } from '../../../src/bus/child-process.ts';
import { freePort } from '../../../src/bus/nats-server-process.ts';
import { findFerretDbBinary, launchFerretDb } from '../../support/ferretdb.ts';

/** The loud line when FerretDB is missing: the scenarios that need it did not run. */
export const FERRET_MISSING =
  '!!! FerretDB NOT installed (no GT_FERRETDB_BIN, no ~/.cache/gastown-ops/bin/ferretdb): fault scenarios 3 and 4 SKIPPED (run bash scripts/ferretdb.sh with Go installed) !!!';

/** A FerretDB the test owns, stopped and started again on the same port and data directory. */
export class RestartableFerretDb {
  private child: ChildProcess | null = null;
  readonly binary: string;
  readonly dir: string;
  readonly port: number;

  private constructor(binary: string, dir: string, port: number) {
    this.binary = binary;
    this.dir = dir;
    this.port = port;
  }

  /** null when FerretDB is not installed. */
  static async start(): Promise<RestartableFerretDb | null> {
    const binary = findFerretDbBinary();
    if (!binary) return null;
    const db = new RestartableFerretDb(
      binary,
      mkdtempSync(join(tmpdir(), 'gt-fault-ferret-')),
      await freePort(),
    );
    await db.restart();
    return db;
  }

  get uri(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  async stop(): Promise<void> {
    if (this.child) await stopChild(this.child);
    this.child = null;
  }

  async restart(): Promise<void> {
    await this.stop();
    this.child = await launchFerretDb(this.binary, this.dir, this.port);
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
