import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actor.ts';
import type { MergeRequest } from '../../src/domain/merge-request.ts';
import { EMPTY_POLICY, type Policy } from '../../src/domain/policy.ts';
import type { Reply } from '../../src/domain/reply.ts';
import { useCommands } from './command-harness.ts';

/**
 * What the merge-queue card's buttons run: `gt mq rework` (a held MR back to a polecat) and the
 * `--version` every decision takes from the card — a click on an MR that moved since the card
 * showed it is refused, says what it is now, and changes nothing.
 */
const policy: Policy = {
  ...EMPTY_POLICY,
  roles: {
    merger: { permissions: ['read', 'mq:write'], rigs: ['alpha'] },
    viewer: { permissions: ['read'], rigs: ['alpha'] },
    overrider: { permissions: ['read', 'mq:override'], rigs: ['alpha'] },
  },
  operators: { operator: ['owner'], dan: ['merger'], vic: ['viewer'], carol: ['overrider'] },
};
const person = (id: string): Actor => ({ kind: 'human', id, operator: id });
const dan = person('dan');

const refusal = (reply: Reply) => {
  if (reply.ok) throw new Error('expected a refusal');
  return reply.error;
};

describe('the merge-queue card’s verbs', () => {
  const h = useCommands(async (h) => {
    await h.ok('gt rig add', { name: 'alpha', prefix: 'al', repo: '/srv/alpha' });
    h.setPolicy(policy);
  });
  const write = () => ({ actor: 'refinery', now: h.now() });
  const mr = async (id = 'al-mr-1') => (await h.ledger.getMergeRequest(id)) as MergeRequest;

  async function held(bead: string | null = null): Promise<MergeRequest> {
    await h.ledger.submitMergeRequest(
      {
        id: 'al-mr-1',
        rig: 'alpha',
        bead_id: bead,
        polecat: null,
        branch: 'b',
        sha: 'a'.repeat(40),
        target: 'main',
        priority: 2,
      },
      write(),
    );
    return (await h.ledger.updateMergeRequest(
      'al-mr-1',
      { expect: { status: 'queued', version: 1 }, set: { status: 'held', reason: 'gate `make` exit 2' } },
      write(),
    )) as MergeRequest;
  }

  it('gt mq rework sends a held MR back with its evidence, and its bead goes back to work', async () => {
    const bead = (await h.ok<{ id: string }>('bd create', { title: 'work', rig: 'alpha' })).id;
    const before = await held(bead);
    const reply = await h.run('gt mq rework', { mr: 'al-mr-1', version: String(before.version) }, dan);
    expect(reply.ok).toBe(true);
    expect(await mr()).toMatchObject({
      status: 'needs-rework',
      version: before.version + 1,
      reason: 'sent back for rework by dan: gate `make` exit 2',
    });
    const comments = await h.ledger.listComments(bead);
    expect(comments.map((c) => c.text).join('\n')).toContain('sent back for rework by dan');
    // Only a held one: it already is sent back.
    expect(refusal(await h.run('gt mq rework', { mr: 'al-mr-1' }, dan)).code).toBe('mr_state');
  });

  it('needs mq:write, in the MR’s rig', async () => {
    await held();
    const error = refusal(await h.run('gt mq rework', { mr: 'al-mr-1' }, person('vic')));
    expect(error.message).toMatch(/may not run gt mq rework: it needs mq:write/);
    expect((await mr()).status).toBe('held');
  });

  it.each([
    ['gt mq retry', {}, dan],
    ['gt mq rework', {}, dan],
    ['gt mq reject', { reason: 'no' }, dan],
    ['gt mq land-anyway', { reason: 'ship' }, person('carol')],
  ] as const)(
    '%s --version: a click on an MR that moved since is refused and changes nothing',
    async (verb, extra, who) => {
      const shown = await held();
      // Someone else moved it meanwhile (released, then held again): same state, newer version.
      await h.ok('gt mq release', { mr: 'al-mr-1' });
      await h.ok('gt mq hold', { mr: 'al-mr-1' });
      const now = await mr();
      const events = await h.ledger.eventsSince(0);
      const error = refusal(
        await h.run(verb, { mr: 'al-mr-1', version: String(shown.version), ...extra }, who),
      );
      expect(error.code).toBe('stale_version');
      expect(error.message).toMatch(/^al-mr-1 changed meanwhile: now held/);
      expect(await mr()).toEqual(now);
      expect(await h.ledger.eventsSince(0)).toEqual(events);
      const ok = await h.run(verb, { mr: 'al-mr-1', version: String(now.version), ...extra }, who);
      expect(ok.ok).toBe(true);
      expect((await mr()).version).toBe(now.version + 1);
    },
  );

  it('refuses a version that is not a number', async () => {
    await held();
    expect(refusal(await h.run('gt mq retry', { mr: 'al-mr-1', version: 'x' }, dan)).code).toBe('bad_number');
  });
});
