import { MongoClient } from 'mongodb';
import { MongoLedger, type MongoLedgerOptions } from './mongo-ledger.ts';

/**
 * The database named in a connection string (`mongodb://h1:27017,h2:27017/gastown?replicaSet=rs0`
 * → `gastown`), or '' when it names none. Not `new URL`: a host list with ports is no URL.
 */
export function dbNameFromUri(uri: string): string {
  const path = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]*)/.exec(uri)?.[1] ?? '';
  return decodeURIComponent(path);
}

/**
 * A ledger on `uri`: database `dbName`, else the one the URI names, else `gastown`; its mode and
 * callbacks as `options` say (mongo-ledger.ts). Connect
 * timeout 5 s (driver default 30 s; the URI may say otherwise): it bounds how long a wedged
 * monitor goes unnoticed (heartbeat-watchdog.ts).
 */
export async function createMongoLedger(
  uri: string,
  options: MongoLedgerOptions & { dbName?: string } = {},
): Promise<MongoLedger> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000, ...connectTimeoutUnlessSet(uri) });
  const { dbName, ...ledgerOptions } = options;
  return new MongoLedger(client, dbName ?? (dbNameFromUri(uri) || 'gastown'), ledgerOptions);
}

function connectTimeoutUnlessSet(uri: string): { connectTimeoutMS?: number } {
  return /[?&]connectTimeoutMS=/i.test(uri) ? {} : { connectTimeoutMS: 5_000 };
}
