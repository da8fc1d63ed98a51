import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actor.ts';
import type { MergeRequest } from '../../src/domain/merge-request.ts';
import { EMPTY_POLICY, type Policy } from '../../src/domain/policy.ts';
import { useCommands } from './command-harness.ts';

/**
 * A land-anyway decision (`mq:override`) is for one landing: whatever ends that attempt short of
 * landing, or any other move of the MR by a person, drops it — so a later plain retry, by
 * someone without the permission, verifies the work as usual instead of landing it untested.
 */
const policy: Policy = {
  ...EMPTY_POLICY,
  roles: {
    overrider: { permissions: ['read', 'mq:write', 'mq:override'], rigs: ['alpha'] },
    merger: { permissions: ['read', 'mq:write'], rigs: ['alpha'] },
  },
  operators: { operator: ['owner'], carol: ['overrider'], dan: ['merger'] },
};

describe('a land-anyway decision', () => {
  const h = useCommands(async (h) => {
    await h.ok('gt rig add', { name: 'alpha', prefix: 'al', repo: '/srv/alpha', gate: ['make test'] });
    h.setPolicy(policy);
  });
  const carol: Actor = { kind: 'human', id: 'carol', operator: 'carol' };
  const dan: Actor = { kind: 'human', id: 'dan', operator: 'dan' };
  const write = () => ({ actor: 'refinery', now: h.now() });
  const mr = async (id: string) => (await h.ledger.getMergeRequest(id)) as MergeRequest;

  async function held(): Promise<MergeRequest> {
    const { mr: queued } = await h.ledger.submitMergeRequest(
      {
        id: 'al-mr-1',
        rig: 'alpha',
        bead_id: null,
        polecat: null,
        branch: 'b',
        sha: 'a'.repeat(40),
        target: 'main',
        priority: 2,
      },
      write(),
    );
    return (await h.ledger.updateMergeRequest(
      queued.id,
      { expect: { status: 'queued', version: 1 }, set: { status: 'held', reason: 'gates failed' } },
      write(),
    )) as MergeRequest;
  }

  it('needs mq:override, named by a role; it queues the MR with who decided and why', async () => {
    await held();
    const denied = await h.run('gt mq land-anyway', { mr: 'al-mr-1', reason: 'x' }, dan);
    expect(denied).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/needs mq:override/) },
    });
    const owner = await h.run('gt mq land-anyway', { mr: 'al-mr-1', reason: 'x' });
    expect(owner).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/needs mq:override/) },
    });
    expect((await mr('al-mr-1')).status).toBe('held');
    const ok = await h.run('gt mq land-anyway', { mr: 'al-mr-1', reason: 'suite broken upstream' }, carol);
    expect(ok.ok).toBe(true);
    expect(await mr('al-mr-1')).toMatchObject({
      status: 'queued',
      override: { by: 'carol', reason: 'suite broken upstream' },
    });
  });

  it('is dropped by a person’s next move, so a plain retry verifies again', async () => {
    await held();
    await h.run('gt mq land-anyway', { mr: 'al-mr-1', reason: 'once' }, carol);
    expect((await h.run('gt mq hold', { mr: 'al-mr-1' }, dan)).ok).toBe(true);
    expect((await mr('al-mr-1')).override).toBeNull();
    expect((await h.run('gt mq retry', { mr: 'al-mr-1' }, dan)).ok).toBe(true);
    expect(await mr('al-mr-1')).toMatchObject({ status: 'queued', override: null });
  });
});
