import { expect, it } from 'vitest';
import {
  type GateResult,
  type MergeRequest,
  type NewMergeRequest,
  OPEN_MR_STATUSES,
} from '../../src/domain/merge-request.ts';
import type { Ledger, LedgerEvent, MergeRequestChange, MergeRequestFilter } from '../../src/ledger/port.ts';
import { refusal } from './dependency.contract.ts';
import { raceIt } from './harness.ts';
import type { ContractState } from './ledger.contract.ts';

const sha = (n: number) => n.toString(16).padStart(40, '0');
const OPEN = OPEN_MR_STATUSES;

const mrEvents = async (ledger: Ledger): Promise<LedgerEvent[]> =>
  (await ledger.eventsSince(0)).filter((e) => e.type.startsWith('mr_'));

/** Merge request records: the ledger side of the merge queue (reference/refinery.md §11.5). */
export function registerMergeRequestContract(s: ContractState): void {
  /** A rig with one bead, and a submission of its work (`over` changes it). */
  const setup = async () => {
    await s.ledger.addRig({ name: 'alpha', prefix: 'al', repo: '/srv/alpha.git' }, s.ctx());
    const bead = await s.ledger.createBead({ title: 'work', rig: 'alpha', priority: 1 }, s.ctx());
    const input = (over: Partial<NewMergeRequest> = {}): NewMergeRequest => ({
      id: 'al-mr-1',
      rig: 'alpha',
      bead_id: bead.id,
      polecat: 'alpha/Toast',
      branch: `polecat/Toast/${bead.id}`,
      sha: sha(1),
      target: 'main',
      priority: 1,
      ...over,
    });
    return { bead, input };
  };

  it('submits a merge request: queued, every field kept, one mr_submitted event', async () => {
    const { bead, input } = await setup();
    const ctx = s.ctx('alpha/Toast');
    const { mr, reused, superseded } = await s.ledger.submitMergeRequest(input(), ctx);
    const now = ctx.now.toISOString();
    const expected: MergeRequest = {
      ...input(),
      status: 'queued',
      attempts: 0,
      gates: [],
      reason: '',
      merge_commit: null,
      submitted_by: 'alpha/Toast',
      created_at: now,
      updated_at: now,
      merged_at: null,
      verified_tree: null,
      override: null,
      version: 1,
    };
    expect({ mr, reused, superseded }).toEqual({ mr: expected, reused: false, superseded: [] });
    expect(await s.ledger.getMergeRequest('al-mr-1')).toEqual(expected);
    expect(await s.ledger.getMergeRequest('al-mr-nope')).toBeNull();
    expect(await mrEvents(s.ledger)).toEqual([
      expect.objectContaining({
        type: 'mr_submitted',
        bead_id: bead.id,
        rig: 'alpha',
        actor: 'alpha/Toast',
        data: { mr_id: 'al-mr-1', from: null, to: 'queued', reason: '' },
      }),
    ]);
  });

  it('resubmitting the same bead, branch and SHA returns the open MR, with no new event', async () => {
    const { input } = await setup();
    const first = (await s.ledger.submitMergeRequest(input(), s.ctx())).mr;
    const seen = (await s.ledger.eventsSince(0)).length;
    const again = await s.ledger.submitMergeRequest(input({ id: 'al-mr-2', priority: 0 }), s.ctx());
    expect(again).toEqual({ mr: first, reused: true, superseded: [] });
    expect(await s.ledger.getMergeRequest('al-mr-2')).toBeNull();
    expect((await s.ledger.eventsSince(0)).length).toBe(seen);
  });

  it('a new SHA supersedes the open MR (even while verifying): one open MR per bead', async () => {
    const { bead, input } = await setup();
    const first = (await s.ledger.submitMergeRequest(input(), s.ctx())).mr;
    const set = { status: 'verifying' as const, attempts: 1 };
    await s.ledger.updateMergeRequest(first.id, { expect: { status: 'queued', version: 1 }, set }, s.ctx());
    const second = await s.ledger.submitMergeRequest(
      input({ id: 'al-mr-2', sha: sha(2) }),
      s.ctx('alpha/Toast'),
    );
    expect(second).toMatchObject({
      mr: { id: 'al-mr-2', status: 'queued' },
      reused: false,
      superseded: [first.id],
    });
    expect(await s.ledger.getMergeRequest(first.id)).toMatchObject({
      status: 'superseded',
      reason: 'superseded by al-mr-2',
      attempts: 1,
      version: 3,
    });
    expect((await s.ledger.listMergeRequests({ bead: bead.id, status: OPEN })).map((m) => m.id)).toEqual([
      'al-mr-2',
    ]);
    const events = (await mrEvents(s.ledger)).slice(2);
    expect(events).toHaveLength(2);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'mr_updated',
        bead_id: bead.id,
        rig: 'alpha',
        actor: 'alpha/Toast',
        data: { mr_id: first.id, from: 'verifying', to: 'superseded', reason: 'superseded by al-mr-2' },
      }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'mr_submitted', data: expect.objectContaining({ mr_id: 'al-mr-2' }) }),
    );
    // A closed MR is history, not a resubmission: the same SHA again queues anew.
    const third = await s.ledger.submitMergeRequest(input({ id: 'al-mr-3' }), s.ctx());
    expect(third).toMatchObject({
      mr: { id: 'al-mr-3', sha: sha(1) },
      reused: false,
      superseded: ['al-mr-2'],
    });
  });

  it('a branch queued without a bead is superseded only by the same branch in its rig', async () => {
    const { input } = await setup();
    const branch = (id: string, name: string, n: number) =>
      input({ id, bead_id: null, polecat: null, branch: name, sha: sha(n) });
    await s.ledger.submitMergeRequest(branch('al-mr-1', 'feature/a', 1), s.ctx());
    await s.ledger.submitMergeRequest(branch('al-mr-2', 'feature/b', 2), s.ctx());
    expect((await s.ledger.submitMergeRequest(branch('al-mr-3', 'feature/a', 1), s.ctx())).reused).toBe(true);
    const newer = await s.ledger.submitMergeRequest(branch('al-mr-4', 'feature/a', 3), s.ctx());
    expect(newer.superseded).toEqual(['al-mr-1']);
    const open = await s.ledger.listMergeRequests({ rig: 'alpha', status: OPEN });
    expect(open.map((m) => [m.id, m.bead_id])).toEqual([
      ['al-mr-2', null],
      ['al-mr-4', null],
    ]);
  });

  it('refuses a taken id (mr_exists), an unknown rig or bead, and changes nothing', async () => {
    const { input } = await setup();
    await s.ledger.submitMergeRequest(input(), s.ctx());
    const other = await s.ledger.createBead({ title: 'other', rig: 'alpha' }, s.ctx());
    const before = await s.ledger.eventsSince(0);
    const taken = await refusal(
      s.ledger.submitMergeRequest(input({ bead_id: other.id, sha: sha(9) }), s.ctx()),
    );
    expect([taken.kind, taken.code]).toEqual(['conflict', 'mr_exists']);
    const noRig = await refusal(
      s.ledger.submitMergeRequest(input({ id: 'x-mr-1', rig: 'ghost', sha: sha(8) }), s.ctx()),
    );
    expect(noRig.kind).toBe('not_found');
    const noBead = await refusal(
      s.ledger.submitMergeRequest(input({ id: 'al-mr-2', bead_id: 'al-zzz' }), s.ctx()),
    );
    expect(noBead.kind).toBe('not_found');
    expect(await s.ledger.eventsSince(0)).toEqual(before);
    expect((await s.ledger.listMergeRequests({})).map((m) => [m.id, m.bead_id])).toEqual([
      ['al-mr-1', input().bead_id],
    ]);
  });

  it('lists by rig, status list and bead, oldest first; `newest`: the newest merged first, or submitted', async () => {
    const { bead, input } = await setup();
    await s.ledger.addRig({ name: 'beta', prefix: 'be' }, s.ctx());
    const b2 = await s.ledger.createBead({ title: 'two', rig: 'alpha' }, s.ctx());
    const b3 = await s.ledger.createBead({ title: 'three', rig: 'beta' }, s.ctx());
    const submit = (over: Partial<NewMergeRequest>) => s.ledger.submitMergeRequest(input(over), s.ctx());
    await submit({ id: 'al-mr-1' });
    await submit({ id: 'be-mr-1', rig: 'beta', bead_id: b3.id, branch: 'b3' });
    await submit({ id: 'al-mr-2', bead_id: b2.id, branch: 'b2' });
    await submit({ id: 'al-mr-3', sha: sha(2) }); // supersedes al-mr-1
    const idsOf = async (f: MergeRequestFilter) => (await s.ledger.listMergeRequests(f)).map((m) => m.id);
    expect(await idsOf({})).toEqual(['al-mr-1', 'be-mr-1', 'al-mr-2', 'al-mr-3']);
    expect(await idsOf({ rig: 'alpha' })).toEqual(['al-mr-1', 'al-mr-2', 'al-mr-3']);
    expect(await idsOf({ rig: 'alpha', status: OPEN })).toEqual(['al-mr-2', 'al-mr-3']);
    expect(await idsOf({ status: ['superseded', 'merged'] })).toEqual(['al-mr-1']);
    expect(await idsOf({ bead: bead.id })).toEqual(['al-mr-1', 'al-mr-3']);
    expect(await idsOf({ bead: bead.id, status: ['queued'], rig: 'alpha' })).toEqual(['al-mr-3']);
    expect(await idsOf({ rig: 'gamma' })).toEqual([]);
    expect(await idsOf({ bead: '{"$ne":null}' })).toEqual([]);
    await submit({ id: 'al-mr-0', bead_id: null, branch: 'b0' }); // submitted last, lands with al-mr-2
    for (const [id, h] of Object.entries({ 'al-mr-2': 1, 'al-mr-3': 3, 'be-mr-1': 9, 'al-mr-0': 1 })) {
      const to = (change: MergeRequestChange) => s.ledger.updateMergeRequest(id, change, s.ctx());
      await to({ expect: { status: 'queued', version: 1 }, set: { status: 'verifying' } });
      const set = { status: 'merged', merge_commit: sha(7), merged_at: `2026-11-22T0${h}:00Z` } as const;
      await to({ expect: { status: 'verifying', version: 2 }, set });
    }
    const want = await Promise.all(['al-mr-3', 'al-mr-2', 'al-mr-0'].map((i) => s.ledger.getMergeRequest(i)));
    expect(await s.ledger.listMergeRequests({ rig: 'alpha', status: ['merged'], newest: 9 })).toEqual(want);
    expect(await idsOf({ rig: 'alpha', status: ['merged'], newest: 2 })).toEqual(['al-mr-3', 'al-mr-2']);
    expect(await idsOf({ status: ['merged'], newest: 1 })).toEqual(['be-mr-1']);
    expect(await idsOf({ rig: 'alpha', status: ['merged'], newest: 0 })).toEqual([]);
    expect(await idsOf({ rig: 'alpha', newest: 2 })).toEqual(['al-mr-0', 'al-mr-3']); // not only merged: by created_at
  });

  it('an update is a compare-and-swap on status and version: the right one moves it, a stale one changes nothing', async () => {
    const { bead, input } = await setup();
    const { mr } = await s.ledger.submitMergeRequest(input(), s.ctx());
    const ctx = s.ctx('refinery');
    const moved = await s.ledger.updateMergeRequest(
      mr.id,
      { expect: { status: 'queued', version: 1 }, set: { status: 'verifying', attempts: 1 } },
      ctx,
    );
    expect(moved).toEqual({
      ...mr,
      status: 'verifying',
      attempts: 1,
      updated_at: ctx.now.toISOString(),
      version: 2,
    });
    expect(await s.ledger.getMergeRequest(mr.id)).toEqual(moved);
    expect((await mrEvents(s.ledger)).at(-1)).toMatchObject({
      type: 'mr_updated',
      bead_id: bead.id,
      rig: 'alpha',
      actor: 'refinery',
      data: { mr_id: mr.id, from: 'queued', to: 'verifying', reason: '' },
    });
    const before = await s.ledger.eventsSince(0);
    const stale = { status: 'needs-rework' as const, reason: 'late' };
    expect(
      await s.ledger.updateMergeRequest(
        mr.id,
        { expect: { status: 'verifying', version: 1 }, set: stale },
        s.ctx(),
      ),
    ).toBeNull();
    expect(
      await s.ledger.updateMergeRequest(
        mr.id,
        { expect: { status: 'queued', version: 2 }, set: { status: 'held' } },
        s.ctx(),
      ),
    ).toBeNull();
    expect(await s.ledger.getMergeRequest(mr.id)).toEqual(moved);
    expect(await s.ledger.eventsSince(0)).toEqual(before);
    expect(
      (
        await refusal(
          s.ledger.updateMergeRequest(
            'al-mr-nope',
            { expect: { status: 'queued', version: 1 }, set: { status: 'held' } },
            s.ctx(),
          ),
        )
      ).kind,
    ).toBe('not_found');
  });

  it('refuses a move the life cycle lacks (merged → queued) with mr_state, changing nothing', async () => {
    const { input } = await setup();
    const { mr } = await s.ledger.submitMergeRequest(input(), s.ctx());
    const move = (from: MergeRequest, set: Parameters<Ledger['updateMergeRequest']>[1]['set']) =>
      s.ledger.updateMergeRequest(
        from.id,
        { expect: { status: from.status, version: from.version }, set },
        s.ctx(),
      );
    const verifying = (await move(mr, { status: 'verifying', attempts: 1 })) as MergeRequest;
    const landed = {
      merge_commit: sha(7),
      merged_at: '2026-11-22T11:00:00.000Z',
      reason: `landed on main at ${sha(7)}`,
    };
    const merged = (await move(verifying, { status: 'merged', ...landed })) as MergeRequest;
    expect(merged).toMatchObject({ status: 'merged', ...landed, version: 3 });
    const before = await s.ledger.eventsSince(0);
    const err = await refusal(move(merged, { status: 'queued' }));
    expect([err.kind, err.code]).toEqual(['conflict', 'mr_state']);
    expect(await s.ledger.getMergeRequest(mr.id)).toEqual(merged);
    expect(await s.ledger.eventsSince(0)).toEqual(before);
  });

  raceIt(s)('eight concurrent updates at one version: exactly one wins, with one event', async () => {
    const { input } = await setup();
    const { mr } = await s.ledger.submitMergeRequest(input(), s.ctx());
    const second = await s.fx.reopen();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? second : s.ledger).updateMergeRequest(
          mr.id,
          { expect: { status: 'queued', version: 1 }, set: { status: 'verifying', attempts: i + 1 } },
          s.ctx(`refinery-${i}`),
        ),
      ),
    );
    const won = results.filter((r) => r !== null);
    expect(won).toHaveLength(1);
    expect(await s.ledger.getMergeRequest(mr.id)).toMatchObject({ version: 2, attempts: won[0]?.attempts });
    expect((await mrEvents(s.ledger)).filter((e) => e.type === 'mr_updated')).toHaveLength(1);
    await second.close();
  });

  raceIt(s)('concurrent submissions for one bead leave exactly one open MR', async () => {
    const { bead, input } = await setup();
    const second = await s.fx.reopen();
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? second : s.ledger).submitMergeRequest(input({ id: `al-mr-${i}`, sha: sha(i + 1) }), s.ctx()),
      ),
    );
    const all = await s.ledger.listMergeRequests({ bead: bead.id });
    expect(all).toHaveLength(6);
    const open = all.filter((m) => OPEN.includes(m.status));
    expect(open).toHaveLength(1);
    for (const m of all.filter((x) => x !== open[0])) {
      expect(m.status).toBe('superseded');
      expect(m.reason).toMatch(/^superseded by al-mr-\d$/);
    }
    const events = await mrEvents(s.ledger);
    expect(events.filter((e) => e.type === 'mr_submitted')).toHaveLength(6);
    expect(events.filter((e) => e.type === 'mr_updated')).toHaveLength(5);
    await second.close();
  });

  it('keeps gate results, the rework reason and the counters, across a restart', async () => {
    const { input } = await setup();
    const { mr } = await s.ledger.submitMergeRequest(input(), s.ctx());
    const gates: GateResult[] = [
      {
        name: 'build',
        command: 'npm run build',
        exit: 0,
        timed_out: false,
        duration_ms: 1234,
        excerpt: 'ok\n',
      },
      {
        name: 'test',
        command: 'npm test -- --reporter "dot"',
        exit: null,
        timed_out: true,
        duration_ms: 900_000,
        excerpt: '✗ login › rejects a bad token\n\t$ {"$gt": ""}',
      },
    ];
    const verifying = await s.ledger.updateMergeRequest(
      mr.id,
      { expect: { status: 'queued', version: 1 }, set: { status: 'verifying', attempts: 1 } },
      s.ctx(),
    );
    const reason = 'gate `npm test` timed out after 900 s:\n✗ login';
    const rework = await s.ledger.updateMergeRequest(
      mr.id,
      {
        expect: { status: 'verifying', version: verifying?.version as number },
        set: { status: 'needs-rework', gates, reason },
      },
      s.ctx(),
    );
    expect(rework).toMatchObject({ status: 'needs-rework', gates, reason, attempts: 1 });
    expect(await s.ledger.getMergeRequest(mr.id)).toEqual(rework);
    const restarted = await s.fx.reopen();
    expect(await restarted.getMergeRequest(mr.id)).toEqual(rework);
    expect(await restarted.listMergeRequests({ status: ['needs-rework'] })).toEqual([rework]);
    await restarted.close();
  });

  it('keeps a verified tree and a person’s override, and clears them, across a restart', async () => {
    const { input } = await setup();
    const { mr } = await s.ledger.submitMergeRequest(input(), s.ctx());
    const override = {
      by: 'slack:U1',
      reason: 'flaky suite, checked by hand',
      at: '2026-12-05T10:00:00.000Z',
    };
    const held = await s.ledger.updateMergeRequest(
      mr.id,
      { expect: { status: 'queued', version: 1 }, set: { status: 'held', verified_tree: sha(7) } },
      s.ctx(),
    );
    const approved = await s.ledger.updateMergeRequest(
      mr.id,
      { expect: { status: 'held', version: held?.version as number }, set: { status: 'queued', override } },
      s.ctx(),
    );
    expect(approved).toMatchObject({ verified_tree: sha(7), override });
    const restarted = await s.fx.reopen();
    expect(await restarted.getMergeRequest(mr.id)).toEqual(approved);
    const cleared = await restarted.updateMergeRequest(
      mr.id,
      {
        expect: { status: 'queued', version: approved?.version as number },
        set: { status: 'held', verified_tree: null, override: null },
      },
      s.ctx(),
    );
    expect(cleared).toMatchObject({ verified_tree: null, override: null });
    expect(await restarted.getMergeRequest(mr.id)).toEqual(cleared);
    await restarted.close();
  });
}
