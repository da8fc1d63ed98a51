import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE } from './private-home.ts';

/** `$GT_HOME/runtime.json`: how CLI calls find the running service (CLI-CONTRACT.md). */
export interface RuntimeInfo {
  nats_url: string;
  http_url: string;
  pid: number;
}

export const runtimePath = (home: string): string => join(home, 'runtime.json');

export function writeRuntime(home: string, info: RuntimeInfo): void {
  const tmp = `${runtimePath(home)}.tmp`;
  // A fresh file each time: `mode` only applies on creation, and a crash may have left the old one.
  rmSync(tmp, { force: true });
  writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
  renameSync(tmp, runtimePath(home)); // atomic: a reader never sees half a file
}

export function readRuntime(home: string): RuntimeInfo | null {
  try {
    return JSON.parse(readFileSync(runtimePath(home), 'utf8')) as RuntimeInfo;
  } catch {
    return null;
  }
}

export const removeRuntime = (home: string): void => rmSync(runtimePath(home), { force: true });
