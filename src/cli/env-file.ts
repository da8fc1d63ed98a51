import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { usageError } from '../domain/errors.ts';

/** What `loadEnvFile` did: names only, never values (a `.env` holds the chat tokens). */
export interface EnvFileLoad {
  path: string;
  /** Variables the file set. */
  loaded: string[];
  /** Variables the file also names but the environment already had: the environment's value stays. */
  kept: string[];
}

/**
 * Reads `<dir>/.env`, as the docs promise ("put them in `.env`"), into `env`. A variable already
 * in `env` wins, even when empty: the same rule as `process.loadEnvFile` and `node --env-file`
 * (so `GT_LOG_LEVEL=debug gt up` overrides the file), with the same parser (`util.parseEnv`).
 * Not `process.loadEnvFile` itself: it writes only to `process.env`, and `gt up` is handed its
 * environment (tests pass their own); the CLI passes `process.env`, so libraries that read it
 * directly (OTEL_* for tracing) see the file's values too.
 *
 * null when there is no `.env`; a `.env` that cannot be read (a directory, no permission) is a
 * usage error that changes nothing.
 */
export function loadEnvFile(dir: string, env: NodeJS.ProcessEnv): EnvFileLoad | null {
  const path = join(dir, '.env');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw usageError(
      'bad_env_file',
      `cannot read ${path} (${code ?? (err as Error).message}); fix its permissions, or move it away to run without it`,
    );
  }
  const parsed = parseEnv(text);
  const loaded: string[] = [];
  const kept: string[] = [];
  // Sorted: parseEnv's key order is not the file's, and the line printed should not wander.
  for (const name of Object.keys(parsed).sort()) {
    if (env[name] !== undefined) kept.push(name);
    else loaded.push(name);
  }
  // Applied only after the whole file parsed: a failure above leaves the environment untouched.
  for (const name of loaded) env[name] = parsed[name];
  return { path, loaded, kept };
}

/** One line for the operator: which file, how many variables, which ones the environment overrode. */
export function describeEnvFileLoad(r: EnvFileLoad): string {
  const kept = r.kept.length ? `; already set in the environment, kept: ${r.kept.join(', ')}` : '';
  return `gt up: read ${r.loaded.length} variable${r.loaded.length === 1 ? '' : 's'} from ${r.path}${kept}`;
}
