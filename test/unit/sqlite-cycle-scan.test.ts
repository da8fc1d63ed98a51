import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/ledger/sqlite/database.ts';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.ts';

/**
 * `bd dep cycles` on SQLite (src/ledger/sqlite/cycle-scan.ts): the ledger refuses cycles, so
 * these edges are written around it, as a hand-edited file would hold them.
 */
describe('sqlite cycle scan', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-cycles-'));
  const path = join(dir, 'ledger.db');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds every cycle, past beads that only lead to one and edges to missing beads', async () => {
    const ledger = new SqliteLedger({ path });
    await ledger.init();
    const ctx = () => ({ actor: 't', now: new Date('2026-12-01T00:00:00Z') });
    const ids: string[] = [];
    for (const title of ['a', 'b', 'c', 'd', 'e', 'f'])
      ids.push((await ledger.createBead({ title }, ctx())).id);
    await ledger.close();
    const [a, b, c, d, e, f] = ids as [string, string, string, string, string, string];
    const db = new Database(path);
    const edge = (from: string, to: string, type = 'blocks') =>
      db.run(
        `INSERT INTO deps (issue_id, depends_on_id, type, created_at, created_by) VALUES ($from, $to, $type, 'x', 'x')`,
        { from, to, type },
      );
    edge(a, b);
    edge(b, c, 'parent-child');
    edge(c, a, 'conditional-blocks'); // a → b → c → a
    edge(d, a); // d only leads into the cycle
    edge(e, f);
    edge(f, e, 'related'); // not a blocking type: no cycle
    edge(e, 'hq-ghost'); // a bead that is not there
    db.close();
    const reopened = new SqliteLedger({ path });
    await reopened.init();
    const cycles = await reopened.findCycles();
    await reopened.close();
    expect(cycles).toHaveLength(1);
    const cycle = cycles[0] as string[];
    expect(cycle[0]).toBe(cycle.at(-1));
    expect(new Set(cycle)).toEqual(new Set([a, b, c]));
  });
});
