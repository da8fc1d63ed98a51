import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { runGit } from '../../src/git/run-git.ts';

/** Real repositories for the git adapter's tests: a temp folder per test, repos and commits in it. */

export const POLECAT = { name: 'Nux', email: 'nux@polecats.invalid' };

/** A fresh temporary folder per test (the returned function gives the current one), removed after it. */
export function useTempDir(): () => string {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gt-git-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}

export async function initRepo(path: string, o: { bare?: boolean; branch?: string } = {}): Promise<string> {
  mkdirSync(path, { recursive: true });
  await runGit(path, [
    'init',
    '--quiet',
    `--initial-branch=${o.branch ?? 'main'}`,
    ...(o.bare ? ['--bare'] : []),
  ]);
  return path;
}

/** Writes `files` in the work tree at `repo` and commits them on its branch; the new commit's SHA. */
export async function commit(
  repo: string,
  files: Record<string, string | Buffer>,
  message: string,
  author?: { name: string; email: string },
): Promise<string> {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, file)), { recursive: true });
    writeFileSync(join(repo, file), content);
  }
  await runGit(repo, ['add', '--', ...Object.keys(files)]);
  const env = author ? { GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email } : {};
  await runGit(repo, ['commit', '--quiet', '-m', message], { env });
  return runGit(repo, ['rev-parse', 'HEAD']);
}

/** Ten numbered lines, with `changes` replacing some of them (1-based), for edits that do or do not overlap. */
export function lines(changes: Record<number, string> = {}): string {
  return `${Array.from({ length: 10 }, (_, i) => changes[i + 1] ?? `line ${i + 1}`).join('\n')}\n`;
}
