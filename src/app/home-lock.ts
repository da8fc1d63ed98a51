import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive } from '../bus/child-process.ts';
import { refused } from '../domain/errors.ts';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './private-home.ts';

/**
 * One service per $GT_HOME: the SQLite ledger has one writer, and two services would also fight
 * over runtime.json and the NATS store. The lock is a file created exclusively, holding the pid;
 * a lock whose pid is gone (a crash, kill -9) is stale and taken over.
 */
export interface HomeLock {
  release(): void;
}

export function acquireHomeLock(home: string): HomeLock {
  mkdirSync(home, { recursive: true, mode: PRIVATE_DIR_MODE });
  const path = join(home, 'gt.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', PRIVATE_FILE_MODE);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { release: () => rmSync(path, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (processAlive(holder) && holder !== process.pid) {
        throw refused(
          'home_locked',
          `another gt up (pid ${holder}) is already running on ${home}; stop it first, or use --home DIR for a second town`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw refused('home_locked', `could not lock ${home}; remove ${path} if no gt up is running`);
}
