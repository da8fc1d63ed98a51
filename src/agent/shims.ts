import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PRIVATE_DIR_MODE } from '../app/private-home.ts';

/** The `gt` and `bd` an agent calls: shims to this checkout's launchers, under $GT_HOME/bin. */
export function writeShims(home: string): string {
  const binDir = join(home, 'bin');
  mkdirSync(binDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const root = resolve(import.meta.dirname, '../..');
  for (const tool of ['gt', 'bd']) {
    const path = join(binDir, tool);
    writeFileSync(path, `#!/bin/sh\nexec "${process.execPath}" "${join(root, 'bin', `${tool}.mjs`)}" "$@"\n`);
    chmodSync(path, 0o700); // run by the owner's agents only, like everything in $GT_HOME
  }
  return binDir;
}
