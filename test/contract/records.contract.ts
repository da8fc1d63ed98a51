import { expect, it } from 'vitest';
import { DEFAULT_GATE_TIMEOUT_S, defaultMergePolicy } from '../../src/domain/merge-policy.ts';
import { refusal } from './dependency.contract.ts';
import { createMany } from './harness.ts';
import type { ContractState } from './ledger.contract.ts';

/** Rigs, events, comments, audit, idempotency, persistence and hostile input. */
export function registerRecordsContract(s: ContractState): void {
  it('registers rigs with unique names and prefixes, parks and unparks them', async () => {
    const rig = await s.ledger.addRig({ name: 'alpha', prefix: 'al', max_polecats: 3 }, s.ctx());
    expect(rig).toMatchObject({ name: 'alpha', prefix: 'al', max_polecats: 3, parked: false, repo: null });
    expect((await refusal(s.ledger.addRig({ name: 'alpha', prefix: 'zz' }, s.ctx()))).code).toBe(
      'rig_exists',
    );
    expect((await refusal(s.ledger.addRig({ name: 'beta', prefix: 'al' }, s.ctx()))).code).toBe(
      'prefix_taken',
    );
    expect((await s.ledger.setRigParked('alpha', true, s.ctx())).parked).toBe(true);
    expect((await s.ledger.setRigParked('alpha', false, s.ctx())).parked).toBe(false);
    expect((await refusal(s.ledger.setRigParked('nope', true, s.ctx()))).kind).toBe('not_found');
    expect((await s.ledger.listRigs()).map((r) => r.name)).toEqual(['alpha']);
    const bead = await s.ledger.createBead({ title: 'in rig', rig: 'alpha' }, s.ctx());
    expect(bead).toMatchObject({ rig: 'alpha' });
    expect(bead.id).toMatch(/^al-/);
    expect((await refusal(s.ledger.createBead({ title: 'x', rig: 'ghost' }, s.ctx()))).kind).toBe(
      'not_found',
    );
  });

  it('keeps the variables a rig passes to its polecats (--env): none unless named', async () => {
    const plain = await s.ledger.addRig({ name: 'plain', prefix: 'pl' }, s.ctx());
    expect(plain.env).toEqual([]);
    const env = ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY'];
    const keyed = await s.ledger.addRig({ name: 'keyed', prefix: 'ky', env }, s.ctx());
    expect(keyed.env).toEqual(env);
    expect(await s.ledger.getRig('keyed')).toEqual(keyed);
    expect((await s.ledger.setRigParked('keyed', true, s.ctx())).env).toEqual(env);
    const restarted = await s.fx.reopen();
    expect((await restarted.listRigs()).map((r) => [r.name, r.env])).toEqual([
      ['keyed', env],
      ['plain', []],
    ]);
    await restarted.close();
  });

  it("keeps a rig's merge policy: the defaults with and without a repository, and explicit values", async () => {
    const plain = await s.ledger.addRig({ name: 'plain', prefix: 'pl' }, s.ctx());
    expect(plain.merge_policy).toEqual(defaultMergePolicy(false));
    expect(plain.merge_policy.merge).toBe('local');
    const repo = await s.ledger.addRig({ name: 'repo', prefix: 'rp', repo: '/srv/repo.git' }, s.ctx());
    expect(repo.merge_policy).toEqual({
      merge: 'mr',
      gates: null,
      gate_timeout_s: DEFAULT_GATE_TIMEOUT_S,
      merge_style: 'rebase',
    });
    const policy = {
      merge: 'direct',
      gates: ['npm test', 'npm run lint'],
      gate_timeout_s: 120,
      merge_style: 'squash',
    } as const;
    const explicit = await s.ledger.addRig(
      {
        name: 'explicit',
        prefix: 'ex',
        repo: '/srv/x.git',
        merge_policy: { ...policy, gates: [...policy.gates] },
      },
      s.ctx(),
    );
    expect(explicit.merge_policy).toEqual(policy);
    const none = await s.ledger.addRig(
      { name: 'none', prefix: 'nn', repo: '/srv/n.git', merge_policy: { gates: [] } },
      s.ctx(),
    );
    expect(none.merge_policy).toMatchObject({ merge: 'mr', gates: [] }); // explicitly none, not "not configured"
    expect(await s.ledger.getRig('explicit')).toEqual(explicit);
    expect((await s.ledger.setRigParked('explicit', true, s.ctx())).merge_policy).toEqual(policy);
    const restarted = await s.fx.reopen();
    expect((await restarted.listRigs()).map((r) => [r.name, r.merge_policy])).toEqual([
      ['explicit', policy],
      ['none', none.merge_policy],
      ['plain', plain.merge_policy],
      ['repo', repo.merge_policy],
    ]);
    await restarted.close();
  });

  it('appends one event per write with a strictly increasing seq', async () => {
    const [a, b] = await createMany(s.ledger, s.ctx, ['A', 'B']);
    await s.ledger.addDependency(b?.id as string, a?.id as string, 'blocks', s.ctx());
    await s.ledger.closeBead(a?.id as string, { reason: 'merged' }, s.ctx('carol'));
    await s.ledger.removeDependency(b?.id as string, a?.id as string, s.ctx());
    const events = await s.ledger.eventsSince(0);
    expect(events.map((e) => e.type)).toEqual([
      'bead_created',
      'bead_created',
      'dependency_added',
      'bead_closed',
      'dependency_removed',
    ]);
    for (let i = 1; i < events.length; i++)
      expect(events[i]?.seq).toBeGreaterThan(events[i - 1]?.seq as number);
    const close = events[3];
    expect(close).toMatchObject({
      bead_id: a?.id,
      actor: 'carol',
      data: expect.objectContaining({ reason: 'merged' }),
    });
    const tail = await s.ledger.eventsSince(events[2]?.seq as number);
    expect(tail.map((e) => e.type)).toEqual(['bead_closed', 'dependency_removed']);
    expect(await s.ledger.eventsSince(0, 2)).toHaveLength(2);
  });

  it('stores comments in order', async () => {
    const [a] = await createMany(s.ledger, s.ctx, ['A']);
    await s.ledger.addComment(a?.id as string, 'first', s.ctx('dave'));
    await s.ledger.addComment(a?.id as string, 'second', s.ctx());
    const comments = await s.ledger.listComments(a?.id as string);
    expect(comments.map((c) => [c.text, c.author])).toEqual([
      ['first', 'dave'],
      ['second', 'tester'],
    ]);
  });

  it('keeps audit records newest first', async () => {
    const base = {
      actor: 'u',
      actor_kind: 'human' as const,
      source: 'cli',
      args: { id: 'x' },
      outcome: 'ok' as const,
    };
    await s.ledger.appendAudit({ ...base, at: '2026-11-22T10:00:00.000Z', verb: 'bd.create' });
    await s.ledger.appendAudit({ ...base, at: '2026-11-22T10:00:01.000Z', verb: 'bd.close', message: 'm' });
    const audit = await s.ledger.listAudit(10);
    expect(audit.map((a) => a.verb)).toEqual(['bd.close', 'bd.create']);
    expect(audit[0]).toMatchObject({ args: { id: 'x' }, message: 'm' });
  });

  it('records an idempotency key once until it expires', async () => {
    const future = new Date(Date.now() + 60_000);
    expect(await s.ledger.recordIdempotencyKey('slack:evt1', future)).toBe(true);
    expect(await s.ledger.recordIdempotencyKey('slack:evt1', future)).toBe(false);
    expect(await s.ledger.recordIdempotencyKey('slack:evt2', future)).toBe(true);
    expect(await s.ledger.recordIdempotencyKey('old', new Date(Date.now() - 1000))).toBe(true);
    expect(await s.ledger.recordIdempotencyKey('old', future)).toBe(true);
  });

  it('treats operator-looking input as plain values', async () => {
    await createMany(s.ledger, s.ctx, ['A'], { labels: ['x'] });
    expect(await s.ledger.getBead('{"$gt":""}')).toBeNull();
    expect(await s.ledger.listBeads({ label: '{"$ne":null}' })).toEqual([]);
    expect(await s.ledger.listBeads({ assignee: '{"$gt":""}' })).toEqual([]);
  });

  it('lists with filters: default hides closed, --all shows it', async () => {
    const [a, b] = await createMany(s.ledger, s.ctx, ['A', 'B'], { labels: ['ui'] });
    await s.ledger.closeBead(a?.id as string, {}, s.ctx());
    expect((await s.ledger.listBeads({})).map((x) => x.id)).toEqual([b?.id]);
    expect((await s.ledger.listBeads({ all: true })).map((x) => x.id).sort()).toEqual([a?.id, b?.id].sort());
    expect((await s.ledger.listBeads({ status: ['closed'] })).map((x) => x.id)).toEqual([a?.id]);
    expect((await s.ledger.listBeads({ label: 'ui' })).map((x) => x.id)).toEqual([b?.id]);
    expect(await s.ledger.listBeads({ label: 'nope' })).toEqual([]);
  });

  it('keeps everything across a restart of the store', async () => {
    const [a, b] = await createMany(s.ledger, s.ctx, ['A', 'B']);
    await s.ledger.addDependency(b?.id as string, a?.id as string, 'blocks', s.ctx());
    const restarted = await s.fx.reopen();
    expect(await restarted.getBead(b?.id as string)).toEqual(await s.ledger.getBead(b?.id as string));
    expect((await restarted.listBlocked({})).map((x) => x.id)).toEqual([b?.id]);
    expect((await restarted.eventsSince(0)).length).toBe(3);
    await restarted.close();
  });

  it('hands out polecat slots atomically, up to the name pool, and frees them only for their holder', async () => {
    const names = ['Toast', 'Nux', 'Slit'];
    const second = await s.fx.reopen();
    const takes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? second : s.ledger).takeSlot('alpha', `al-b${i}`, names, s.ctx()),
      ),
    );
    const won = takes.filter((n): n is string => n !== null);
    expect(won.sort()).toEqual([...names].sort());
    const slots = await s.ledger.listSlots('alpha');
    expect(slots.map((x) => x.name)).toEqual(['Nux', 'Slit', 'Toast']);
    const toast = slots.find((x) => x.name === 'Toast');
    expect(await s.ledger.freeSlot('alpha', 'Toast', 'al-someone-else')).toBe(false);
    expect(await s.ledger.freeSlot('alpha', 'Toast', toast?.bead_id as string)).toBe(true);
    expect(await s.ledger.takeSlot('alpha', 'al-new', names, s.ctx())).toBe('Toast');
    expect(await s.ledger.listSlots('beta')).toEqual([]);
    await second.close();
  });
}
