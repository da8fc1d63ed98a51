import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultMergePolicy, type MergePolicy } from '../../src/domain/merge-policy.ts';
import { REFINERY_IDENTITY, runGit } from '../../src/git/run-git.ts';
import { type AttemptContext, attempt, type Work } from '../../src/services/refinery/attempt.ts';
import { openRigRepo } from '../../src/services/refinery/rig-repo.ts';
import { commit, initRepo, useTempDir } from './git-fixture.ts';

/**
 * Whose failure a failing gate is, and when gates need not run again (reference/refinery.md §11,
 * 13 and 15–17), on real repositories and real gate processes: a gate that fails on the bare
 * target too is the target's (held, with that run as proof), a gate that cannot run is the
 * rig's, a tree that passed before is not verified twice, a person's override skips the gates
 * but never a conflict, a flaky gate passes on a retry and says so.
 */
describe('verification: whose failure, and when gates run', () => {
  const dir = useTempDir();

  /** A repository whose main holds `main` files and a branch `work` adding `work` files. */
  async function setup(main: Record<string, string>, work: Record<string, string>) {
    const repo = await initRepo(join(dir(), 'repo'));
    const tip = await commit(repo, { 'README.md': 'r\n', ...main }, 'initial');
    await runGit(repo, ['checkout', '--quiet', '-b', 'work']);
    const sha = await commit(repo, work, 'the work');
    await runGit(repo, ['checkout', '--quiet', 'main']);
    return { repo, tip, sha };
  }

  async function context(repo: string, policy: Partial<MergePolicy>): Promise<AttemptContext> {
    return {
      repo: await openRigRepo(repo),
      policy: { ...defaultMergePolicy(true), ...policy },
      scratch: join(dir(), 'scratch'),
      gateEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      identity: REFINERY_IDENTITY,
    };
  }

  const work = (sha: string, over: Partial<Work> = {}): Work => ({
    id: 'al-mr-1',
    branch: 'work',
    sha,
    target: 'main',
    bead_id: 'al-1',
    gates: [],
    verified_tree: null,
    override: null,
    ...over,
  });

  /** A gate that appends a line to a counter file outside the worktree, then runs `check`. */
  const counted = (check: string) => {
    const counter = join(dir(), 'runs');
    return {
      gate: `echo run >> ${counter}; ${check}`,
      runs: () => (existsSync(counter) ? readFileSync(counter, 'utf8').split('\n').length - 1 : 0),
    };
  };

  it('a gate that fails on the target by itself too is the target’s failure, with that run as proof', async () => {
    const { repo, tip, sha } = await setup({ 'broken.txt': 'x\n' }, { 'a.txt': 'a\n' });
    const outcome = await attempt(work(sha), await context(repo, { gates: ['test ! -f broken.txt'] }));
    expect(outcome).toMatchObject({ kind: 'target-broken', tip, onTarget: { exit: 1, timed_out: false } });
    expect(await runGit(repo, ['rev-parse', 'main'])).toBe(tip);
  });

  it('two changes that break the tests only together: the second is the work’s failure, the first stays', async () => {
    // X landed already (x.txt on main); Y adds y.txt; the suite fails only with both.
    const { repo, tip, sha } = await setup({ 'x.txt': 'x\n' }, { 'y.txt': 'y\n' });
    const gate = counted('! { test -f x.txt && test -f y.txt; }');
    const outcome = await attempt(work(sha), await context(repo, { gates: ['true', gate.gate] }));
    expect(outcome).toMatchObject({ kind: 'gates-failed', gates: [{ exit: 0 }, { exit: 1 }] });
    expect(gate.runs()).toBe(2); // once on the work, once on the target alone (which passes)
    expect(await runGit(repo, ['rev-parse', 'main'])).toBe(tip); // X is not reverted, Y not landed
  });

  it('a gate that cannot run (exit 127) is the rig’s: never taken for the target’s, never run there', async () => {
    const { repo, sha } = await setup({}, { 'a.txt': 'a\n' });
    const gate = counted('no-such-toolchain-x1 --check');
    const outcome = await attempt(work(sha), await context(repo, { gates: [gate.gate] }));
    expect(outcome).toMatchObject({ kind: 'gate-broken', gates: [{ exit: 127 }] });
    expect(gate.runs()).toBe(1);
  });

  it('a tree that passed its gates before lands without running them again; a moved target runs them', async () => {
    const { repo, tip, sha } = await setup({}, { 'a.txt': 'a\n' });
    const gate = counted('true');
    // The work sits right on the tip: rebased, its tree is the branch's own.
    const tree = await runGit(repo, ['rev-parse', `${sha}^{tree}`]);
    const passedBefore = [
      { name: 'gate 1', command: gate.gate, exit: 0, timed_out: false, duration_ms: 5, excerpt: '' },
    ];
    const ctx = await context(repo, { gates: [gate.gate] });
    const landed = await attempt(work(sha, { verified_tree: tree, gates: passedBefore }), ctx);
    expect(landed).toMatchObject({ kind: 'landed', tree, gates: passedBefore });
    expect(gate.runs()).toBe(0);
    expect(await runGit(repo, ['rev-parse', 'main^'])).toBe(tip);

    await runGit(repo, ['checkout', '--quiet', '-b', 'more', tip]);
    const more = await commit(repo, { 'b.txt': 'b\n' }, 'more');
    await runGit(repo, ['checkout', '--quiet', 'main']);
    const stale = await attempt(
      work(more, { branch: 'more', verified_tree: tree, gates: passedBefore }),
      ctx,
    );
    expect(stale).toMatchObject({ kind: 'landed' });
    expect(gate.runs()).toBe(1); // main moved (a.txt landed): a new tree, verified
  });

  it('a person’s override lands without gates — but a conflict still cannot land', async () => {
    const { repo, sha } = await setup({ 'f.txt': 'main\n' }, { 'a.txt': 'a\n' });
    const gate = counted('false');
    const override = { by: 'slack:U1', reason: 'checked by hand', at: '2026-12-05T00:00:00.000Z' };
    const ctx = await context(repo, { gates: [gate.gate] });
    expect(await attempt(work(sha, { override }), ctx)).toMatchObject({ kind: 'landed', gates: [] });
    expect(gate.runs()).toBe(0);

    await runGit(repo, ['checkout', '--quiet', '-b', 'clash', 'main~1']);
    const clash = await commit(repo, { 'f.txt': 'clash\n' }, 'clash');
    await runGit(repo, ['checkout', '--quiet', 'main']);
    await commit(repo, { 'f.txt': 'moved on\n' }, 'main moves');
    const outcome = await attempt(work(clash, { branch: 'clash', override }), ctx);
    expect(outcome).toEqual({ kind: 'conflict', conflicts: ['f.txt'] });
  });

  it('a flaky gate passes on a retry the rig allows, and its result says how many runs it took', async () => {
    const { repo, sha } = await setup({}, { 'a.txt': 'a\n' });
    /** Fails on its first run in this counter's life, passes from the second on. */
    const flaky = (name: string) => {
      const counter = join(dir(), name);
      return `echo run >> ${counter}; test "$(wc -l < ${counter})" -ge 2`;
    };
    const strict = await attempt(work(sha), await context(repo, { gates: [flaky('a')], gate_retries: 0 }));
    expect(strict).toMatchObject({ kind: 'gates-failed', gates: [{ exit: 1, runs: 1 }] });
    const lenient = await attempt(work(sha), await context(repo, { gates: [flaky('b')], gate_retries: 1 }));
    expect(lenient).toMatchObject({ kind: 'landed', gates: [{ exit: 0, runs: 2 }] });
  });
});
