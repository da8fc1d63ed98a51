import { describe, expect, it } from 'vitest';
import { gtMqFreeze, gtMqThaw } from '../../src/commands/gt/mq/freeze.ts';
import { gtMqList, gtMqStatus } from '../../src/commands/gt/mq/list.ts';
import { gtRigList } from '../../src/commands/gt/rig.ts';
import type { Actor } from '../../src/domain/actor.ts';
import { EMPTY_POLICY, type Policy } from '../../src/domain/policy.ts';
import type { Reply } from '../../src/domain/reply.ts';
import type { Rig } from '../../src/domain/rig.ts';
import { type CommandHarness, useCommands } from './command-harness.ts';

/**
 * `gt mq freeze <rig> [-r REASON]` / `gt mq thaw <rig>`: who froze a rig's merge queue, when and
 * why is recorded on the rig and shown wherever the queue is; `mq:freeze` (which `mq:write` does
 * not give, `admin` does) is needed for both; agents never may.
 */
const policy: Policy = {
  ...EMPTY_POLICY,
  roles: {
    merger: { permissions: ['read', 'mq:write'], rigs: ['alpha', 'beta'] },
    freezer: { permissions: ['read', 'mq:freeze'], rigs: ['alpha', 'beta'] },
    'beta-admin': { permissions: ['admin'], rigs: ['beta'] },
  },
  operators: { operator: ['owner'], erin: ['freezer'], dan: ['merger'], bea: ['beta-admin'] },
  agents: { 'mayor/': ['owner'] },
};

const person = (id: string): Actor => ({ kind: 'human', id, operator: id });
const erin = person('erin');
const dan = person('dan');
const bea = person('bea');

async function setup(h: CommandHarness) {
  await h.ok('gt rig add', { name: 'alpha', prefix: 'al', repo: '/srv/alpha' });
  await h.ok('gt rig add', { name: 'beta', prefix: 'be', repo: '/srv/beta' });
  await h.ok('gt rig add', { name: 'plain', prefix: 'pl' });
  h.setPolicy(policy);
  for (const [id, rig] of [
    ['al-mr-1', 'alpha'],
    ['be-mr-1', 'beta'],
  ] as const) {
    await h.ledger.submitMergeRequest(
      {
        id,
        rig,
        bead_id: null,
        polecat: null,
        branch: `b-${id}`,
        sha: 'a'.repeat(40),
        target: 'main',
        priority: 2,
      },
      { actor: 'refinery', now: h.now() },
    );
  }
}

const okData = <T>(reply: Reply): T => {
  if (!reply.ok) throw new Error(`expected ok, got ${reply.error.code}: ${reply.error.message}`);
  return reply.data as T;
};

const refusedWith = (reply: Reply) => {
  if (reply.ok) throw new Error('expected a refusal');
  return reply.error;
};

describe('gt mq freeze / thaw', () => {
  const h = useCommands(setup);
  const freezeEvents = async () =>
    (await h.ledger.eventsSince(0)).filter((e) => e.type === 'rig_frozen' || e.type === 'rig_thawed');

  it('records who froze it, when and why, and shows it wherever the queue is shown', async () => {
    const rig = okData<Rig>(await h.run('gt mq freeze', { rig: 'alpha', reason: 'release 2.0' }, erin));
    const at = rig.mq_frozen?.at as string;
    expect(Number.isNaN(Date.parse(at))).toBe(false);
    expect(rig.mq_frozen).toEqual({ by: 'erin', reason: 'release 2.0', at });
    expect((await h.ledger.getRig('alpha'))?.mq_frozen).toEqual(rig.mq_frozen);
    expect((await h.ledger.getRig('beta'))?.mq_frozen).toBeNull();
    expect(await freezeEvents()).toMatchObject([{ type: 'rig_frozen', rig: 'alpha', actor: 'erin' }]);
    const line = `⏸ alpha frozen by erin ${at}: release 2.0`;
    expect(gtMqFreeze.text(rig)).toContain(`frozen by erin ${at}: release 2.0`);

    // gt mq list: one line per frozen rig in view, first; each row carries its rig's state.
    const all = await h.ok('gt mq list');
    expect(all.map((r: { id: string; frozen: unknown }) => [r.id, r.frozen])).toEqual([
      ['al-mr-1', rig.mq_frozen],
      ['be-mr-1', null],
    ]);
    const text = gtMqList.text(all).split('\n');
    expect(text[0]).toBe(line);
    expect(text.filter((l) => l.startsWith('⏸'))).toEqual([line]);
    expect(gtMqList.text(await h.ok('gt mq list', { rig: 'alpha' })).split('\n')[0]).toBe(line);
    expect(gtMqList.text(await h.ok('gt mq list', { rig: 'beta' }))).not.toContain('⏸');

    // gt mq status: the MR as stored, its rig's freeze beside it, first line of the text.
    const status = await h.ok('gt mq status', { mr: 'al-mr-1' });
    expect(status).toEqual({ ...(await h.ledger.getMergeRequest('al-mr-1')), frozen: rig.mq_frozen });
    expect(gtMqStatus.text(status).split('\n')[0]).toBe(line);
    const other = await h.ok('gt mq status', { mr: 'be-mr-1' });
    expect(other.frozen).toBeNull();
    expect(gtMqStatus.text(other)).not.toContain('⏸');

    // gt rig list: on the frozen rig's line only.
    const rigs = gtRigList.text(await h.ok('gt rig list')).split('\n');
    expect(rigs.find((l) => l.startsWith('alpha'))).toContain(`⏸ frozen by erin ${at}: release 2.0`);
    expect(rigs.filter((l) => l.includes('frozen'))).toHaveLength(1);

    // Thawed: nothing frozen is shown any more.
    const thawed = okData<Rig>(await h.run('gt mq thaw', { rig: 'alpha' }, erin));
    expect(thawed.mq_frozen).toBeNull();
    expect(gtMqThaw.text(thawed)).toMatch(/rig alpha: merge queue thawed/);
    expect((await h.ledger.getRig('alpha'))?.mq_frozen).toBeNull();
    const after = await h.ok('gt mq list');
    expect(after.map((r: { frozen: unknown }) => r.frozen)).toEqual([null, null]);
    expect(gtMqList.text(after)).not.toContain('⏸');
    expect(gtRigList.text(await h.ok('gt rig list'))).not.toContain('frozen');
    expect((await freezeEvents()).map((e) => [e.type, e.actor])).toEqual([
      ['rig_frozen', 'erin'],
      ['rig_thawed', 'erin'],
    ]);
  });

  it('says "no reason given" when none was', async () => {
    const rig = okData<Rig>(await h.run('gt mq freeze', { rig: 'alpha' }));
    expect(rig.mq_frozen).toMatchObject({ by: 'mayor', reason: '' });
    expect(gtMqList.text(await h.ok('gt mq list', { rig: 'alpha' })).split('\n')[0]).toMatch(
      /^⏸ alpha frozen by mayor \S+: no reason given$/,
    );
  });

  it('refuses a second freeze, saying who froze it, when and why, and changes nothing', async () => {
    const first = okData<Rig>(await h.run('gt mq freeze', { rig: 'alpha', reason: 'incident 42' }, erin));
    const events = await h.ledger.eventsSince(0);
    const again = refusedWith(await h.run('gt mq freeze', { rig: 'alpha', reason: 'release' }));
    expect(again.code).toBe('mq_frozen');
    expect(again.message).toContain(`already frozen by erin ${first.mq_frozen?.at}: incident 42`);
    expect(again.message).toContain('gt mq thaw alpha');
    expect(await h.ledger.getRig('alpha')).toEqual(first);
    expect(await h.ledger.eventsSince(0)).toEqual(events);
  });

  it('refuses an unknown rig, a rig without a repository and a thaw of a queue not frozen', async () => {
    const before = await h.ledger.listRigs();
    const ghost = refusedWith(await h.run('gt mq freeze', { rig: 'ghost' }));
    expect([ghost.kind, ghost.message]).toEqual(['not_found', 'rig ghost not found; see gt rig list']);
    expect(refusedWith(await h.run('gt mq thaw', { rig: 'ghost' })).kind).toBe('not_found');
    const plain = refusedWith(await h.run('gt mq freeze', { rig: 'plain', reason: 'x' }));
    expect(plain.code).toBe('no_repository');
    expect(plain.message).toMatch(/rig plain has no repository, so no merge queue to freeze/);
    const warm = refusedWith(await h.run('gt mq thaw', { rig: 'alpha' }));
    expect(warm.code).toBe('mq_not_frozen');
    expect(warm.message).toMatch(/rig alpha's merge queue is not frozen; nothing to thaw/);
    expect(refusedWith(await h.run('gt mq freeze', { rig: 'Not A Rig' })).kind).toBe('usage');
    expect(await h.ledger.listRigs()).toEqual(before);
    expect(await freezeEvents()).toEqual([]);
  });

  it('needs mq:freeze: not given by mq:write; admin implies it, only in its rigs; agents never', async () => {
    const refusals = [
      await h.run('gt mq freeze', { rig: 'alpha', reason: 'x' }, dan),
      await h.run('gt mq freeze', { rig: 'alpha', reason: 'x' }, bea), // admin, but of beta only
      await h.run('gt mq freeze', { rig: 'alpha', reason: 'x' }, { kind: 'agent', id: 'alpha/Toast' }),
      // The Mayor's policy role is the owner's, yet freezing is a person's decision.
      await h.run('gt mq freeze', { rig: 'alpha', reason: 'x' }, { kind: 'agent', id: 'mayor/' }),
      await h.run('gt mq freeze', { rig: 'alpha', reason: 'x' }, { kind: 'system', id: 'witness' }),
    ].map(refusedWith);
    expect(refusals.map((e) => e.kind)).toEqual(['refused', 'refused', 'refused', 'refused', 'refused']);
    expect(refusals[0]?.message).toMatch(/needs mq:freeze on rig alpha/);
    expect(refusals[1]?.message).toMatch(/needs mq:freeze on rig alpha/);
    expect((await h.ledger.getRig('alpha'))?.mq_frozen).toBeNull();

    // An admin of beta may freeze beta; the freezer role may thaw it; mq:write alone may not.
    expect(
      okData<Rig>(await h.run('gt mq freeze', { rig: 'beta', reason: 'r' }, bea)).mq_frozen,
    ).toMatchObject({
      by: 'bea',
    });
    expect(refusedWith(await h.run('gt mq thaw', { rig: 'beta' }, dan)).message).toMatch(/needs mq:freeze/);
    expect(
      refusedWith(await h.run('gt mq thaw', { rig: 'beta' }, { kind: 'agent', id: 'mayor/' })).kind,
    ).toBe('refused');
    expect((await h.ledger.getRig('beta'))?.mq_frozen).toMatchObject({ by: 'bea' });
    expect(okData<Rig>(await h.run('gt mq thaw', { rig: 'beta' }, erin)).mq_frozen).toBeNull();
    // The refusals were audited as such.
    const audit = await h.ledger.listAudit(50);
    expect(audit.filter((a) => a.verb === 'gt mq freeze' && a.outcome === 'refused')).toHaveLength(5);
  });
});
