import { startFerretDb } from './ferretdb.ts';

/**
 * The MongoDB-protocol servers the Mongo adapter is tested (and benchmarked) against: a FerretDB
 * child when installed, plus real MongoDB when MONGODB_URI is set. When there is none, one loud
 * line says so: the adapter was NOT tested.
 */
export interface MongoTarget {
  name: string;
  uri: string;
  stop(): Promise<void>;
}

export const NOT_TESTED =
  '!!! MongoDB adapter NOT tested: no FerretDB binary and MONGODB_URI unset (run bash scripts/ferretdb.sh with Go installed) !!!';

export async function mongoTargets(): Promise<MongoTarget[]> {
  const targets: MongoTarget[] = [];
  const ferret = await startFerretDb();
  if (ferret) targets.push({ name: 'ferretdb', uri: ferret.uri, stop: ferret.stop });
  if (process.env.MONGODB_URI)
    targets.push({ name: 'mongodb', uri: process.env.MONGODB_URI, stop: async () => {} });
  if (targets.length === 0) process.stderr.write(`\n${NOT_TESTED}\n\n`);
  return targets;
}
