import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gitRepoFacts } from '../../src/app/repo-facts.ts';
import type { Actor } from '../../src/domain/actor.ts';
import { gitRepo } from '../e2e/runner-process.ts';
import { useCommands } from './command-harness.ts';

type Bead = { id: string; status: string; labels: string[]; assignee: string | null };

/**
 * `gt done` on a rig with a merge queue, against a real git repository: it submits the polecat's
 * branch bound to its commit and the bead waits, or it refuses — saying what to do — and changes
 * nothing (the bead stays on the hook, no merge request exists).
 */
describe('submitting work to the merge queue', () => {
  let repo = '';
  const h = useCommands(async (h) => {
    repo = gitRepo();
    h.setRepos(gitRepoFacts);
    await h.ok('gt rig add', { name: 'alpha', prefix: 'al', repo, gate: ['true'] });
  });
  const toast: Actor = { kind: 'agent', id: 'alpha/Toast' };
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args], {
      encoding: 'utf8',
    }).trim();
  /** A bead hooked to alpha/Toast, and its branch with `commits` commits on it. */
  const hooked = async (commits: number) => {
    const bead = await h.ok<Bead>('bd create', { title: 'w', rig: 'alpha' });
    await h.ok('gt sling', { id: bead.id });
    const branch = `polecat/Toast/${bead.id}`;
    git('branch', branch, 'main');
    git('checkout', '-q', branch);
    for (let i = 0; i < commits; i++) {
      writeFileSync(`${repo}/f${i}.txt`, `${i}`);
      git('add', '-A');
      git('commit', '-qm', `c${i}`);
    }
    git('checkout', '-q', 'main');
    return { id: bead.id, branch, head: git('rev-parse', branch) };
  };
  const unchanged = async (id: string) => {
    expect((await h.ok<Bead[]>('bd show', { ids: [id] }))[0]).toMatchObject({
      status: 'hooked',
      assignee: 'alpha/Toast',
    });
    expect(await h.ledger.listMergeRequests({ bead: id })).toEqual([]);
  };

  it('queues the branch at its HEAD; the bead waits, blocked and merging, until it lands', async () => {
    const w = await hooked(2);
    expect(await h.run('gt done', { commit: w.head, uncommitted: '0' }, toast)).toMatchObject({
      ok: true,
      data: { id: w.id, mr: expect.stringMatching(/^al-mr-\w+$/) },
    });
    const [mr] = await h.ledger.listMergeRequests({ bead: w.id });
    expect(mr).toMatchObject({
      status: 'queued',
      branch: w.branch,
      sha: w.head,
      target: 'main',
      polecat: 'alpha/Toast',
    });
    expect((await h.ok<Bead[]>('bd show', { ids: [w.id] }))[0]).toMatchObject({
      status: 'blocked',
      labels: ['gt:merging'],
    });
    expect(await h.ledger.listSlots('alpha')).toEqual([]);
  });

  it('refuses uncommitted work, a branch that is elsewhere, and nothing to merge — changing nothing', async () => {
    const dirty = await hooked(1);
    const reply = await h.run('gt done', { commit: dirty.head, uncommitted: '2' }, toast);
    expect(reply).toMatchObject({
      ok: false,
      error: { code: 'uncommitted_work', message: expect.stringContaining('git add -A && git commit') },
    });
    await unchanged(dirty.id);
    const moved = await h.run('gt done', { commit: 'a'.repeat(40), uncommitted: '0' }, toast);
    expect(moved).toMatchObject({
      ok: false,
      error: { code: 'branch_moved', message: expect.stringContaining('push your last commit') },
    });
    await unchanged(dirty.id);
    await h.ok('gt done', { agent: 'alpha/Toast', status: 'deferred' });
    const empty = await hooked(0);
    const nothing = await h.run('gt done', { commit: empty.head, uncommitted: '0' }, toast);
    expect(nothing).toMatchObject({
      ok: false,
      error: { code: 'nothing_to_merge', message: expect.stringContaining('gt done --status deferred') },
    });
    await unchanged(empty.id);
  });

  it('refuses a repository path that is not a git repository when the rig is added', async () => {
    expect(await h.run('gt rig add', { name: 'ghost', prefix: 'gh', repo: '/nonexistent' })).toMatchObject({
      ok: false,
      error: { kind: 'usage', code: 'not_a_repository' },
    });
    expect((await h.ledger.listRigs()).map((r) => r.name)).toEqual(['alpha']);
  });
});
