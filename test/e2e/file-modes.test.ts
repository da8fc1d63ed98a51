import { chmodSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gitRepo, RunnerProcess, waitFor } from './runner-process.ts';
import { Town } from './town.ts';

/**
 * Everything in $GT_HOME is its owner's alone (app/private-home.ts): the home is 0700 and no file
 * or directory anyone writes there — the service, SQLite, nats-server, the rig runner, git, a
 * polecat — grants anything to group or others, whatever the umask of the shell that started it.
 */

/** Entries under `root` (itself included) that grant group or others any access, with their mode. */
function looseEntries(root: string): string[] {
  const loose: string[] = [];
  const visit = (path: string) => {
    let mode: number;
    let isDirectory: boolean;
    try {
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) return; // a link's own bits mean nothing on Linux
      mode = stat.mode & 0o777;
      isDirectory = stat.isDirectory();
    } catch {
      return; // gone meanwhile (a temporary file of SQLite or nats-server)
    }
    if (mode & 0o077) loose.push(`${mode.toString(8).padStart(4, '0')} ${path}`);
    if (isDirectory) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(root);
  return loose;
}

/** The permission bits in octal, as `ls` and a failure message should show them. */
const modeOf = (path: string) => (lstatSync(path).mode & 0o777).toString(8);

/** The polecat commits, leaves a file uncommitted (so its worktree is kept and walked too), and is done. */
const POLECAT = [
  'echo hi > f',
  'git add f',
  'git -c user.email=a@b -c user.name=p commit -qm w',
  'echo left > left-behind',
  'gt done',
].join(' && ');

describe('$GT_HOME is private to its owner', () => {
  const base = mkdtempSync(join(tmpdir(), 'gt-modes-'));
  // A home that does not exist yet: `gt up` creates it.
  const town = new Town(join(base, 'home'));
  const repo = gitRepo();
  let runner: RunnerProcess | undefined;
  // Started from a permissive shell: the processes must not depend on the caller's umask.
  const callerUmask = process.umask(0o002);

  afterAll(async () => {
    process.umask(callerUmask);
    await runner?.stop();
    await town.destroy();
    rmSync(base, { recursive: true, force: true });
    rmSync(repo, { recursive: true, force: true });
  });

  it('gt up, a rig runner, git and a polecat leave nothing readable by group or others', async () => {
    await town.up();
    await town.json('gt', [
      'rig',
      'add',
      'alpha',
      '--prefix',
      'al',
      '--repo',
      repo,
      '--merge',
      'local',
      '--command',
      POLECAT,
    ]);
    runner = await RunnerProcess.start(town, 'alpha');
    const { id } = await town.json<{ id: string }>('bd', ['create', 'Write f', '--rig', 'alpha']);
    await town.json('gt', ['sling', id]);
    const logs = join(town.home, 'logs', 'alpha');
    await waitFor(
      () =>
        existsSync(logs) &&
        readdirSync(logs).some((f) => readOrEmpty(join(logs, f)).includes('[gt] exited code=0')),
      30_000,
      () => runner?.output ?? '',
    );
    const [bead] = await town.json<Array<{ status: string }>>('bd', ['show', id]);
    expect(bead?.status).toBe('closed');
    // The walk below must cover what each process writes, or it would prove nothing.
    for (const path of [
      'gt.lock',
      'runtime.json',
      'ledger.db',
      'ledger.db-wal',
      'creds/operator.json',
      'nats/nats-server.conf',
      'nats/jetstream',
      'bin/gt',
      'prompts/alpha',
      'worktrees/alpha',
    ])
      expect(existsSync(join(town.home, path)), path).toBe(true);
    const worktree = readdirSync(join(town.home, 'worktrees', 'alpha'))[0] as string;
    expect(existsSync(join(town.home, 'worktrees', 'alpha', worktree, 'left-behind'))).toBe(true);
    expect(looseEntries(town.home), 'group/other may access these').toEqual([]);
    expect(modeOf(town.home)).toBe('700');
    // The shims stay executable by their owner (the polecat's PATH runs them).
    expect(modeOf(join(town.home, 'bin', 'gt'))).toBe('700');
  }, 90_000);

  it('tightens a home that an older version (or a user) left 0755', async () => {
    await runner?.stop();
    runner = undefined;
    expect(await town.down()).toBe(0);
    chmodSync(town.home, 0o755);
    await town.up();
    expect(modeOf(town.home)).toBe('700');
    expect(looseEntries(town.home), 'group/other may access these').toEqual([]);
  }, 60_000);
});

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
