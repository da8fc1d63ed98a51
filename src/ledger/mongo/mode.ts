import type { Db } from 'mongodb';

/**
 * The MongoDB adapter's two modes (docs/decisions.md, "MongoDB adapter modes"):
 *  - mongodb: the server applies a conditional single-document update atomically (MongoDB does):
 *    compare-and-swap is one findOneAndUpdate, the event log is appended in one update, read paths
 *    never write;
 *  - compat: it does not (FerretDB 1.24 evaluates a filter and writes in separate steps): lock
 *    documents guard every compare-and-swap, the log is found by reading its highest seq.
 */
export type MongoMode = 'mongodb' | 'compat';
export type MongoModeSetting = MongoMode | 'auto';

export interface ModeChoice {
  mode: MongoMode;
  /** What the server says it is, e.g. "MongoDB 7.0.14" or "FerretDB v1.24.2". */
  server: string;
  why: string;
}

/** The parts of `buildInfo` the choice reads (FerretDB adds `ferretdbVersion` to MongoDB's fields). */
export interface BuildInfo {
  version?: string;
  ferretdbVersion?: string;
}

/** The mode for a server: forced by configuration, else FerretDB → compat, anything else → mongodb. */
export function modeFor(info: BuildInfo, setting: MongoModeSetting): ModeChoice {
  const server = info.ferretdbVersion
    ? `FerretDB ${info.ferretdbVersion}`
    : `MongoDB ${info.version ?? '(unknown version)'}`;
  if (setting !== 'auto') return { mode: setting, server, why: 'set by GT_MONGO_MODE' };
  if (info.ferretdbVersion)
    return { mode: 'compat', server, why: 'FerretDB does not apply conditional updates atomically' };
  return { mode: 'mongodb', server, why: 'single-document updates are atomic on MongoDB' };
}

/** Asks the server what it is (`buildInfo`: any client may run it) and chooses. */
export async function chooseMode(db: Db, setting: MongoModeSetting): Promise<ModeChoice> {
  return modeFor((await db.admin().command({ buildInfo: 1 })) as BuildInfo, setting);
}
