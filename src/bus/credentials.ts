import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A NATS user and password (nats-server `authorization.users`). */
export interface NatsCredentials {
  user: string;
  pass: string;
}

/**
 * A credentials file (`$GT_HOME/creds/*.json`, 0600): `{"user","password"}`. A rig runner's file
 * also carries the credentials of its rig's polecat slots, which it hands to each polecat it starts.
 */
export interface CredentialsFile {
  user: string;
  password: string;
  polecats?: Record<string, { user: string; password: string }>;
}

export const credentialsDir = (home: string): string => join(home, 'creds');
export const operatorCredentialsPath = (home: string): string => join(credentialsDir(home), 'operator.json');
export const runnerCredentialsPath = (home: string, rig: string): string =>
  join(credentialsDir(home), `runner-${rig}.json`);
export const mayorCredentialsPath = (home: string): string => join(credentialsDir(home), 'mayor.json');
export const namedOperatorCredentialsPath = (home: string, name: string): string =>
  join(credentialsDir(home), `operator-${name}.json`);

export function readCredentialsFile(path: string): CredentialsFile {
  let parsed: Partial<CredentialsFile>;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<CredentialsFile>;
  } catch (err) {
    throw new Error(`cannot read NATS credentials ${path}: ${(err as Error).message}`);
  }
  if (typeof parsed.user !== 'string' || typeof parsed.password !== 'string')
    throw new Error(`NATS credentials ${path} must be JSON {"user": "…", "password": "…"}`);
  return parsed as CredentialsFile;
}

/**
 * The credentials a process connects with, first found: GT_NATS_USER + GT_NATS_PASSWORD (what a
 * runner gives its polecats), the file GT_NATS_CREDS names, then the first of `defaults` that
 * exists (a runner's own file, the operator's file `gt up` writes). None: connect without.
 */
export function findCredentials(env: NodeJS.ProcessEnv, defaults: readonly string[]): CredentialsFile | null {
  if (env.GT_NATS_USER && env.GT_NATS_PASSWORD)
    return { user: env.GT_NATS_USER, password: env.GT_NATS_PASSWORD };
  if (env.GT_NATS_CREDS) return readCredentialsFile(env.GT_NATS_CREDS);
  const path = defaults.find((p) => existsSync(p));
  return path ? readCredentialsFile(path) : null;
}

export const asNatsCredentials = (file: CredentialsFile | null): NatsCredentials | undefined =>
  file ? { user: file.user, pass: file.password } : undefined;
