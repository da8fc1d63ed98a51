import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.ts';
import { runLedgerContract } from './ledger.contract.ts';

/** The contract on a real SQLite file (WAL), and reopened on the same file for restart tests. */
runLedgerContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-ledger-'));
  const path = join(dir, 'ledger.db');
  const opened: SqliteLedger[] = [];
  const open = async () => {
    const ledger = new SqliteLedger({ path });
    await ledger.init();
    opened.push(ledger);
    return ledger;
  };
  return {
    ledger: await open(),
    reopen: open,
    cleanup: async () => {
      for (const l of opened) await l.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
