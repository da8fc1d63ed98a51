import type { Ledger } from '../ledger/port.ts';
import { SqliteLedger } from '../ledger/sqlite/sqlite-ledger.ts';

/** Chooses the adapter from the ledger URL: `sqlite:<path>` (default) or `mongodb://…`. */
export async function openLedger(
  url: string,
  options: {
    sqliteSync: 'normal' | 'full';
    mongoMode?: 'auto' | 'mongodb' | 'compat';
    onWarning?: (message: string) => void;
  },
): Promise<Ledger> {
  if (url.startsWith('sqlite:')) {
    return new SqliteLedger({
      path: url.slice('sqlite:'.length),
      synchronous: options.sqliteSync === 'full' ? 'FULL' : 'NORMAL',
    });
  }
  // Loaded on demand so the embedded default never pays for the MongoDB driver.
  const { createMongoLedger } = await import('../ledger/mongo/connect.ts');
  return createMongoLedger(url, {
    mode: options.mongoMode ?? 'auto',
    onUpkeepError: (err) =>
      options.onWarning?.(`MongoDB ledger upkeep failed (retried): ${(err as Error).message}`),
    onReconnect: (stuckMs) =>
      options.onWarning?.(`MongoDB driver monitor stuck for ${stuckMs} ms; reconnected the ledger client`),
  });
}
