import { chmodSync, mkdirSync } from 'node:fs';

/** Owner-only: what is left of a new file's 0666 or a new directory's 0777 is 0600 / 0700. */
export const OWNER_ONLY_UMASK = 0o077;
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * $GT_HOME holds the ledger, NATS passwords, prompts, logs and the agents' worktrees: nobody but
 * its owner may read any of it. Called first by every process that writes there (`gt up`,
 * `gt rig run`, `gt demo`). The umask covers what we do not create ourselves, because children
 * inherit it: the SQLite files and their -wal/-shm, nats-server's JetStream store, git's
 * worktrees, the polecats and whatever they write. The home is created 0700, and an existing one
 * is tightened to 0700 (older versions left it 0755).
 *
 * Returns a warning when the home cannot be tightened (it belongs to another user): its owner can
 * read it anyway, and the files we create stay owner-only, so this is not a reason to refuse. A
 * home that cannot be created at all fails where it is first used, with that step's error.
 */
export function makeHomePrivate(home: string): string | null {
  process.umask(OWNER_ONLY_UMASK);
  try {
    mkdirSync(home, { recursive: true, mode: PRIVATE_DIR_MODE });
    chmodSync(home, PRIVATE_DIR_MODE);
    return null;
  } catch (err) {
    return `warning: could not make ${home} private (mode 0700): ${(err as Error).message}`;
  }
}
