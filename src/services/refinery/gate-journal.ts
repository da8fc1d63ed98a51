import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { reapGroup } from './gate-runner.ts';

/**
 * The process groups of the gates a rig's refinery has running, in a file beside its scratch
 * worktree. A service killed mid-gate leaves its gate running (its own process group); the next
 * holder of the lease on this machine reads the file and kills what is left before it starts,
 * so an orphaned `npm test` does not run on beside the new attempt. Everything else a crash
 * leaves is recovered from the ledger and git (rig-refinery.ts), not from here.
 */
export class GateJournal {
  private readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  started(pgid: number): void {
    this.write([...this.read(), pgid]);
  }

  /** Kills every group still listed (a previous run's) and forgets them. */
  reapAll(): void {
    for (const pgid of this.read()) reapGroup(pgid);
    this.clear();
  }

  clear(): void {
    rmSync(this.path, { force: true });
  }

  private read(): number[] {
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.path, 'utf8'));
      return Array.isArray(parsed) ? parsed.filter((n): n is number => Number.isInteger(n) && n > 1) : [];
    } catch {
      return [];
    }
  }

  private write(pgids: number[]): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(pgids), { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}
