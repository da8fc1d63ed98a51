import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitRepo, RunnerProcess, waitFor } from './runner-process.ts';
import { Town } from './town.ts';

type Bead = { id: string; status: string; close_reason: string; labels: string[] };
type Row = { id: string; status: string };

/**
 * The three ways work lands (reference/refinery.md §7.3, §11 scenario 7), with real polecat
 * processes, gates and git: `direct` lands in `gt done` itself — a failing gate comes back to the
 * polecat at once, which fixes it in the same session and lands; no merge request is made —
 * `local` closes the bead with its branch kept; and a convoy's `--merge` wins over its rig's.
 */
describe('merge strategies', () => {
  const town = new Town();
  const runners: RunnerProcess[] = [];
  const repos: Record<string, string> = {};
  const dir = mkdtempSync(join(tmpdir(), 'gt-strategies-'));
  const evidence = join(dir, 'refusals.log');
  const git = (rig: string, ...args: string[]) =>
    execFileSync('git', ['-C', repos[rig] as string, ...args], { encoding: 'utf8' }).trim();
  const show = async (id: string) => (await town.json<Bead[]>('bd', ['show', id]))[0] as Bead;
  const create = async (title: string, rig: string) =>
    (await town.json<{ id: string }>('bd', ['create', title, '--rig', rig])).id;
  const mrs = (rig: string) => town.json<Row[]>('gt', ['mq', 'list', rig, '--all']);
  const closed = (id: string) =>
    waitFor(
      async () => (await show(id)).status === 'closed',
      60_000,
      () => `${id} never closed:\n${runners.map((r) => r.output).join('\n')}`,
    );
  /** Ships one bead in a convoy of its own, with the convoy's strategy when given. */
  async function launch(bead: string, merge?: string): Promise<void> {
    await town.json('gt', ['convoy', 'create', `ship ${bead}`, bead, ...(merge ? ['--merge', merge] : [])]);
    await town.json('gt', ['sling', bead]);
  }

  /**
   * A polecat that commits `<title>.txt` (and `bad.txt` for `bad-*` beads, which the gate refuses),
   * runs `gt done`, and when that refuses, keeps what it was told, removes bad.txt, commits and
   * runs `gt done` again — what an agent in its session does with the evidence.
   */
  const POLECAT = `set -e
title=$(gt hook | sed -n "1s/^[^']*'\\(.*\\)' \\[.*$/\\1/p")
echo "$title" > "$title.txt"
case "$title" in bad-*) echo bad > bad.txt ;; esac
git add -A
git -c user.name=polecat -c user.email=p@e commit -qm "$title"
if ! gt done 2>>${evidence}; then
  git rm -q bad.txt
  git -c user.name=polecat -c user.email=p@e commit -qm "fix $title"
  gt done
fi
`;

  beforeAll(async () => {
    const script = join(dir, 'polecat.sh');
    writeFileSync(script, POLECAT, { mode: 0o700 });
    await town.up(['--http-port', '0'], { GT_MQ_POLL_S: '1' });
    const rigs: Record<string, string[]> = {
      direct: ['--merge', 'direct', '--gate', 'test ! -f bad.txt'],
      queue: ['--gate', 'test -d .'],
      keep: ['--merge', 'local', '--gate', 'none'],
    };
    for (const [rig, policy] of Object.entries(rigs)) {
      repos[rig] = gitRepo();
      const add = ['rig', 'add', rig, '--prefix', rig.slice(0, 2), '--repo', repos[rig] as string];
      await town.json('gt', [...add, '--command', script, ...policy]);
      runners.push(await RunnerProcess.start(town, rig));
    }
  }, 90_000);
  afterAll(async () => {
    for (const r of runners) await r.stop();
    await town.destroy();
  });

  it('direct: gt done lands the work itself; a failing gate comes back to the polecat, which fixes it and lands', async () => {
    const bead = await create('bad-direct', 'direct');
    await launch(bead);
    await closed(bead);
    expect((await show(bead)).close_reason).toMatch(/^Merged directly at [0-9a-f]{40}$/);
    const sha = (await show(bead)).close_reason.split(' ').at(-1) as string;
    expect(git('direct', 'rev-parse', 'main')).toBe(sha);
    expect(git('direct', 'log', '--format=%s', 'main').split('\n')).toEqual([
      'fix bad-direct',
      'bad-direct',
      'initial',
    ]);
    expect(git('direct', 'ls-tree', '--name-only', 'main')).not.toContain('bad.txt');
    // The first gt done was refused with the gate's evidence, and nothing was queued.
    expect(readFileSync(evidence, 'utf8')).toMatch(/did not land on main: gate `test ! -f bad.txt` exited 1/);
    expect(await mrs('direct')).toEqual([]);
    // The landed branch goes once the polecat's worktree lets go of it.
    await waitFor(
      () => git('direct', 'branch', '--list', 'polecat/*') === '',
      30_000,
      () => git('direct', 'branch'),
    );
  }, 90_000);

  it('a convoy that says --merge local keeps the work on its branch, even on a rig with a queue', async () => {
    const bead = await create('kept', 'queue');
    await launch(bead, 'local');
    await closed(bead);
    expect((await show(bead)).close_reason).toMatch(/^Done by queue\//);
    expect(git('queue', 'log', '--format=%s', 'main')).toBe('initial');
    expect(git('queue', 'log', '--format=%s', '--branches=polecat/*')).toContain('kept');
    expect(await mrs('queue')).toEqual([]);
  }, 90_000);

  it('a convoy that says --merge direct lands at gt done on a rig with a queue: no merge request', async () => {
    const bead = await create('express', 'queue');
    await launch(bead, 'direct');
    await closed(bead);
    expect((await show(bead)).close_reason).toMatch(/^Merged directly at /);
    expect(git('queue', 'show', 'main:express.txt')).toBe('express');
    expect(await mrs('queue')).toEqual([]);
  }, 90_000);

  it('a convoy that says --merge mr goes through the queue of a rig that keeps work local', async () => {
    const kept = await create('local-default', 'keep');
    await launch(kept);
    await closed(kept);
    expect(git('keep', 'log', '--format=%s', 'main')).toBe('initial');
    const bead = await create('queued', 'keep');
    await launch(bead, 'mr');
    await closed(bead);
    expect((await show(bead)).close_reason).toMatch(/^Merged in ke-mr-\w+ at [0-9a-f]{40}$/);
    expect(git('keep', 'log', '--format=%s', 'main').split('\n')).toEqual(['queued', 'initial']);
    expect((await mrs('keep')).map((m) => m.status)).toEqual(['merged']);
  }, 90_000);
});
