import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultMergePolicy } from '../../src/domain/merge-policy.ts';
import { REFINERY_IDENTITY, runGit } from '../../src/git/run-git.ts';
import type { AttemptContext, Work } from '../../src/services/refinery/attempt.ts';
import { attemptBatch } from '../../src/services/refinery/batch.ts';
import { openRigRepo } from '../../src/services/refinery/rig-repo.ts';
import { commit, initRepo, useTempDir } from './git-fixture.ts';

/**
 * Speculative batches with bisection (reference/refinery.md §3.4, §11 scenarios 29–30), on a
 * real repository with real gate processes: a passing stack lands in one move, each MR's own
 * commit in queue order; a failing one is bisected within ⌈log2 n⌉ more verifications to its
 * first failing member, the passing prefix lands, later members go back untested; a member
 * that conflicts with an earlier one is dropped before anything runs.
 */
describe('a speculative batch', () => {
  const dir = useTempDir();
  const runs = () => join(dir(), 'runs');
  /** Counts its runs; fails when the tree holds a file named BAD, or both p.txt and q.txt. */
  const GATE = () => `echo run >> ${runs()}; ! test -f BAD && ! { test -f p.txt && test -f q.txt; }`;
  const gateRuns = () => (existsSync(runs()) ? readFileSync(runs(), 'utf8').split('\n').length - 1 : 0);

  /** A repository whose branches each add their files on main's first commit. */
  async function setup(branches: Record<string, Record<string, string>>) {
    const repo = await initRepo(join(dir(), 'repo'));
    const tip = await commit(repo, { 'README.md': 'r\n', 'shared.txt': 'base\n' }, 'initial');
    const works: Work[] = [];
    for (const [name, files] of Object.entries(branches)) {
      await runGit(repo, ['checkout', '--quiet', '-b', name, tip]);
      const sha = await commit(repo, files, name);
      works.push({
        id: `al-mr-${name}`,
        branch: name,
        sha,
        target: 'main',
        bead_id: null,
        gates: [],
        verified_tree: null,
        override: null,
      });
    }
    await runGit(repo, ['checkout', '--quiet', 'main']);
    const context: AttemptContext = {
      repo: await openRigRepo(repo),
      policy: { ...defaultMergePolicy(true), gates: [GATE()] },
      scratch: join(dir(), 'scratch'),
      gateEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      identity: REFINERY_IDENTITY,
    };
    const log = async () => (await runGit(repo, ['log', '--reverse', '--format=%s', 'main'])).split('\n');
    return { repo, tip, works, context, log };
  }

  it('all passing: verified once, landed in one move, each MR’s own commit in queue order', async () => {
    const { works, context, log, repo } = await setup({
      a: { 'a.txt': 'a' },
      b: { 'b.txt': 'b' },
      c: { 'c.txt': 'c' },
    });
    const result = await attemptBatch(works, context);
    expect(result.verifications).toBe(1);
    expect(gateRuns()).toBe(1);
    expect(await log()).toEqual(['initial', 'a', 'b', 'c']);
    const heads = (await runGit(repo, ['log', '--reverse', '--format=%H', 'main'])).split('\n').slice(1);
    expect(works.map((w) => result.outcomes.get(w.id))).toEqual(
      heads.map((sha) => expect.objectContaining({ kind: 'landed', mergeCommit: sha })),
    );
  });

  it('4 MRs, the 3rd breaks the tests: 1 and 2 land, 3 fails, 4 goes back untested; within the budget', async () => {
    const { works, context, log } = await setup({
      one: { '1.txt': '1' },
      two: { '2.txt': '2' },
      three: { BAD: 'x' },
      four: { '4.txt': '4' },
    });
    const result = await attemptBatch(works, context);
    expect(result.verifications).toBeLessThanOrEqual(1 + Math.ceil(Math.log2(4)));
    expect(result.outcomes.get('al-mr-three')).toMatchObject({ kind: 'gates-failed', gates: [{ exit: 1 }] });
    expect(result.untested.map((w) => w.id)).toEqual(['al-mr-four']);
    expect(result.outcomes.has('al-mr-four')).toBe(false);
    expect(await log()).toEqual(['initial', 'one', 'two']);
    // The next batch (four alone now) lands it: 1, 2, 4 on main, never 3.
    const next = await attemptBatch(result.untested, context);
    expect(next.outcomes.get('al-mr-four')).toMatchObject({ kind: 'landed' });
    expect(await log()).toEqual(['initial', 'one', 'two', 'four']);
  });

  it('two MRs that fail only together: each passes alone, the later one is the culprit', async () => {
    const { works, context, log } = await setup({
      p: { 'p.txt': 'p' },
      q: { 'q.txt': 'q' },
      r: { 'r.txt': 'r' },
    });
    const result = await attemptBatch(works, context);
    expect(result.outcomes.get('al-mr-p')).toMatchObject({ kind: 'landed' });
    expect(result.outcomes.get('al-mr-q')).toMatchObject({ kind: 'gates-failed' });
    expect(result.untested.map((w) => w.id)).toEqual(['al-mr-r']);
    expect(await log()).toEqual(['initial', 'p']);
  });

  it('a member conflicting with an earlier one is dropped before verification; the rest land', async () => {
    const { works, context, log } = await setup({
      first: { 'shared.txt': 'first\n' },
      clash: { 'shared.txt': 'clash\n' },
      other: { 'o.txt': 'o' },
    });
    const result = await attemptBatch(works, context);
    expect(result.outcomes.get('al-mr-clash')).toEqual({ kind: 'conflict', conflicts: ['shared.txt'] });
    expect(result.verifications).toBe(1);
    expect(await log()).toEqual(['initial', 'first', 'other']);
  });

  it('the first member failing on a target that fails by itself too is the target’s failure', async () => {
    const { works, context, log, repo } = await setup({ a: { 'a.txt': 'a' }, b: { 'b.txt': 'b' } });
    await commit(repo, { BAD: 'on main' }, 'main breaks');
    const result = await attemptBatch(works, context);
    expect(result.outcomes.get('al-mr-a')).toMatchObject({ kind: 'target-broken' });
    expect(result.untested.map((w) => w.id)).toEqual(['al-mr-b']);
    expect(await log()).toEqual(['initial', 'main breaks']);
  });

  it('parallel speculation: the same outcome from probes run at once, their worktrees removed after', async () => {
    const { works, context, log, repo } = await setup({
      one: { '1.txt': '1' },
      two: { '2.txt': '2' },
      three: { BAD: 'x' },
      four: { '4.txt': '4' },
    });
    const result = await attemptBatch(works, { ...context, policy: { ...context.policy, parallel: 3 } });
    expect(result.outcomes.get('al-mr-three')).toMatchObject({ kind: 'gates-failed' });
    expect(result.untested.map((w) => w.id)).toEqual(['al-mr-four']);
    expect(await log()).toEqual(['initial', 'one', 'two']);
    // One round of three at once: the whole stack and two shorter prefixes beside it.
    expect(result.verifications).toBe(3);
    expect(await runGit(repo, ['worktree', 'list', '--porcelain'])).not.toMatch(/scratch/);
  });
});
