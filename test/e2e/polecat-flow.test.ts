import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LivenessReporter } from '../../src/agent/liveness.ts';
import { Town } from './town.ts';

type Bead = { id: string; status: string; assignee: string | null; close_reason: string };
const git = (repo: string, ...args: string[]) =>
  execFileSync('git', ['-C', repo, '-c', 'user.email=t@example.com', '-c', 'user.name=test', ...args], {
    encoding: 'utf8',
  }).trim();

/**
 * The whole loop with real processes: a convoy is launched, the rig runner spawns a `shell`
 * polecat in a git worktree, the script commits and calls `gt done`, the bead closes, the next
 * one is fed and run, the convoy lands, and the work is on the polecat branches.
 */
/** Linux with scheduling autogroups (the default): a polecat's own group must be niced as well. */
const HAS_AUTOGROUPS = existsSync('/proc/self/autogroup');
if (!HAS_AUTOGROUPS)
  process.stderr.write(
    '\n!!! no /proc/self/autogroup here: the polecat autogroup priority check is SKIPPED !!!\n\n',
  );

describe('polecats through the rig runner', () => {
  const town = new Town();
  const repo = mkdtempSync(join(tmpdir(), 'gt-rig-repo-'));
  let runner: ChildProcess;
  let runnerOutput = '';

  beforeAll(async () => {
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'initial');
    await town.up();
    const script = [
      '{ echo "work for $GT_BEAD at nice $(nice)"; cat /proc/self/autogroup 2>/dev/null; } > "work-$GT_BEAD.txt"',
      'git add .',
      'git -c user.email=p@example.com -c user.name=polecat commit -qm "work on $GT_BEAD"',
      'gt done',
    ].join(' && ');
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
      script,
    ]);
    runner = spawn(
      process.execPath,
      [resolve(import.meta.dirname, '../../bin/gt.mjs'), 'rig', 'run', 'alpha'],
      {
        env: town.env(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    runner.stdout?.on('data', (c: Buffer) => {
      runnerOutput += c.toString();
    });
    runner.stderr?.on('data', (c: Buffer) => {
      runnerOutput += c.toString();
    });
    for (let i = 0; i < 100 && !runnerOutput.includes('ready'); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(runnerOutput).toContain('rig runner alpha: ready');
  }, 60_000);

  afterAll(async () => {
    runner?.kill('SIGTERM');
    await new Promise((r) => runner?.once('exit', r));
    await town.destroy();
    rmSync(repo, { recursive: true, force: true });
  });

  it('runs a two-step convoy to landing with real commits on polecat branches', async () => {
    const a = (await town.json<Bead>('bd', ['create', 'First step', '--rig', 'alpha'])).id;
    const b = (await town.json<Bead>('bd', ['create', 'Second step', '--rig', 'alpha'])).id;
    await town.json('bd', ['dep', 'add', b, a]);
    const { convoy_id } = await town.json<{ convoy_id: string }>('gt', ['convoy', 'launch', a, b]);
    let status = '';
    for (let i = 0; i < 300 && status !== 'closed'; i++) {
      status = (await town.json<{ status: string }>('gt', ['convoy', 'status', convoy_id])).status;
      if (status !== 'closed') await new Promise((r) => setTimeout(r, 100));
    }
    expect(status, runnerOutput).toBe('closed');
    for (const id of [a, b]) {
      const [bead] = await town.json<Bead[]>('bd', ['show', id]);
      expect(bead?.status).toBe('closed');
      expect(bead?.close_reason).toMatch(/^Done by alpha\/\w+ at [0-9a-f]{40}$/);
      const branch = `polecat/${bead?.assignee?.split('/')[1]}/${id}`;
      expect(git(repo, 'log', '-1', '--format=%s', branch)).toBe(`work on ${id}`);
      // Polecats run below the coordination plane's CPU priority (polecat-process.ts).
      const [work, autogroup] = git(repo, 'show', `${branch}:work-${id}.txt`).split('\n');
      expect(work).toBe(`work for ${id} at nice 10`);
      // The polecat's session has a scheduling group of its own; it must be niced too.
      if (HAS_AUTOGROUPS) expect(autogroup).toMatch(/^\/autogroup-\d+ nice 10$/);
      expect(bead?.close_reason.endsWith(git(repo, 'rev-parse', branch))).toBe(true);
    }
    // The runner reported each polecat's process: started, then exited with code 0.
    const nc = await town.connectNats();
    try {
      const liveness = await LivenessReporter.open(nc, 'gt');
      const [last] = await town.json<Bead[]>('bd', ['show', b]);
      let entry = await liveness.get(last?.assignee as string);
      for (let i = 0; i < 50 && entry?.alive !== false; i++) {
        await new Promise((r) => setTimeout(r, 100));
        entry = await liveness.get(last?.assignee as string);
      }
      expect(entry).toMatchObject({
        bead: b,
        rig: 'alpha',
        alive: false,
        exit_code: 0,
        pid: expect.any(Number),
      });
    } finally {
      await nc.close();
    }
    // Worktrees are removed once each polecat process has exited; branches stay.
    let worktrees = 0;
    for (let i = 0; i < 50 && worktrees !== 1; i++) {
      worktrees = git(repo, 'worktree', 'list').split('\n').length;
      if (worktrees !== 1) await new Promise((r) => setTimeout(r, 100));
    }
    expect(worktrees).toBe(1);
  }, 60_000);

  it('refuses a rig whose repository is not a git checkout, creating nothing', async () => {
    const added = await town.run('gt', [
      'rig',
      'add',
      'ghost',
      '--prefix',
      'gh',
      '--repo',
      '/nonexistent/repo',
      '--command',
      'true',
    ]);
    expect(added.code).toBe(2);
    expect(added.stderr).toMatch(/--repo \/nonexistent\/repo is not a git repository/);
    const r = await town.run('gt', ['rig', 'run', 'ghost']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/rig ghost is not registered/);
  });
});
