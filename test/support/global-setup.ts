import type { TestProject } from 'vitest/node';
import { type MongoTarget, mongoTargets } from './mongo-targets.ts';

/**
 * Starts the MongoDB-protocol servers once for the whole run (FerretDB when installed, plus
 * MONGODB_URI) and stops them at the end — even when a filtered run skips every test of a file.
 */
let targets: MongoTarget[] = [];

export async function setup(project: TestProject): Promise<void> {
  targets = await mongoTargets();
  project.provide(
    'mongoTargets',
    targets.map(({ name, uri }) => ({ name, uri })),
  );
}

export async function teardown(): Promise<void> {
  for (const t of targets) await t.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    mongoTargets: Array<{ name: string; uri: string }>;
  }
}
