import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actor.ts';
import { useCommands } from './command-harness.ts';

type Bead = { id: string; status: string; assignee: string | null; labels: string[]; version: number };
type Escalation = Bead & {
  severity: string;
  kind: string;
  agent: string | null;
  bead_id: string | null;
  proposed_actions: string[];
  acked_by: string | null;
  reescalations: number;
  folded?: boolean;
  close_reason: string;
};

/**
 * Issue 5 items 5 and 6: escalations with kinds, folding, acknowledgement, re-escalation and
 * decisions — each decision one compare-and-swap, a second one refused with nothing changed.
 */
describe('escalation decisions', () => {
  const h = useCommands(async (h) => {
    await h.ok('gt rig add', { name: 'alpha', prefix: 'al', 'max-polecats': '3' });
    await h.ok('gt rig add', { name: 'beta', prefix: 'be' });
  });
  const { run, ok } = h;
  const show = async (id: string) => (await ok<Bead[]>('bd show', { ids: [id] }))[0] as Bead;
  const witness: Actor = { kind: 'system', id: 'witness' };
  const alice: Actor = { kind: 'human', id: 'alice' };
  const bob: Actor = { kind: 'human', id: 'bob' };

  /** A bead hooked to a polecat and a stuck-agent escalation about it, as the witness files it. */
  const stuck = async () => {
    const bead = (await ok<Bead>('bd create', { title: 'w', rig: 'alpha' })).id;
    await ok('gt sling', { id: bead });
    const agent = (await show(bead)).assignee as string;
    const reply = await run(
      'gt escalate',
      {
        summary: `${agent} is stalled`,
        severity: 'medium',
        kind: 'stuck-agent',
        agent,
        bead,
        propose: ['reassign:alpha/Slit', 'reassign:queue', 'restart', 'acknowledge'],
      },
      witness,
    );
    if (!reply.ok) throw new Error(reply.error.message);
    return { bead, agent, e: reply.data as Escalation };
  };

  it('files kind, subject, agent, bead and proposals; repeated reports fold into one', async () => {
    const { bead, agent, e } = await stuck();
    expect(e).toMatchObject({
      kind: 'stuck-agent',
      agent,
      bead_id: bead,
      severity: 'medium',
      proposed_actions: ['reassign:alpha/Slit', 'reassign:queue', 'restart', 'acknowledge'],
      folded: false,
    });
    const again = await run(
      'gt escalate',
      { summary: 'still stalled', severity: 'high', kind: 'stuck-agent', agent, bead },
      witness,
    );
    expect(again).toMatchObject({
      ok: true,
      data: { id: e.id, folded: true, severity: 'high', priority: 1 },
    });
    const lower = await run(
      'gt escalate',
      { summary: 'x', severity: 'low', kind: 'stuck-agent', bead },
      witness,
    );
    expect(lower).toMatchObject({ ok: true, data: { id: e.id, severity: 'high' } }); // never lowered
    expect(await ok('gt escalation list')).toHaveLength(1);
    expect((await h.ledger.listComments(e.id)).map((c) => c.text)).toEqual([
      'reported again by witness (high): still stalled',
      'reported again by witness (low): x',
    ]);
  });

  it('refuses an unknown severity or kind and a proposal that is not an action, creating nothing', async () => {
    for (const args of [
      { summary: 'x', severity: 'urgent' },
      { summary: 'x', severity: 'low', kind: 'panic' },
      { summary: 'x', severity: 'low', propose: ['do something'] },
      { summary: 'x', severity: 'low', propose: ['reassign:alpha'] },
    ]) {
      const reply = await run('gt escalate', args);
      expect(reply.ok).toBe(false);
      expect((reply as { error: { kind: string } }).error.kind).toBe('usage');
    }
    expect(await ok('gt escalation list', { all: true })).toEqual([]);
  });

  it('acknowledges once; a second acknowledgement or a stale version is refused', async () => {
    const { e } = await stuck();
    expect(await run('gt escalation ack', { id: e.id, version: String(e.version + 1) })).toMatchObject({
      ok: false,
      error: { code: 'stale_version' },
    });
    expect(await run('gt escalation ack', { id: e.id, version: String(e.version) }, alice)).toMatchObject({
      ok: true,
      data: { acked: true, acked_by: 'alice' },
    });
    const twice = await run('gt escalation ack', { id: e.id }, bob);
    expect(twice).toMatchObject({ ok: false, error: { code: 'already_acknowledged' } });
    expect((twice as { error: { message: string } }).error.message).toContain(
      'already acknowledged by alice',
    );
    expect((await show(e.id)).assignee).toBe('alice');
  });

  it('reassigns in one step: the bead moves, slots follow, the old polecat is stopped and told', async () => {
    const { bead, agent, e } = await stuck();
    const reply = await run('gt escalation resolve', { id: e.id, action: 'reassign:alpha/Slit' }, alice);
    expect(reply).toMatchObject({
      ok: true,
      data: { status: 'closed', close_reason: 'Resolved: reassigned to alpha/Slit by alice' },
    });
    expect(await show(bead)).toMatchObject({ status: 'hooked', assignee: 'alpha/Slit' });
    expect((await h.ledger.listSlots('alpha')).map((s) => [s.name, s.bead_id])).toEqual([['Slit', bead]]);
    expect(h.stops).toEqual([{ agent, bead }]);
    expect((await h.ledger.takeNudges(agent, h.now())).map((n) => n.message)).toEqual([
      `stop: ${bead} was reassigned to alpha/Slit by alice`,
    ]);
    const second = await run('gt escalation resolve', { id: e.id, action: 'reassign:alpha/Toast' }, bob);
    expect(second).toMatchObject({ ok: false, error: { code: 'already_resolved' } });
    expect((await show(bead)).assignee).toBe('alpha/Slit');
  });

  it('of two racing decisions exactly one applies', async () => {
    const { bead, e } = await stuck();
    const replies = await Promise.all([
      run(
        'gt escalation resolve',
        { id: e.id, action: 'reassign:alpha/Slit', version: String(e.version) },
        alice,
      ),
      run('gt escalation resolve', { id: e.id, action: 'release', version: String(e.version) }, bob),
    ]);
    expect(replies.filter((r) => r.ok)).toHaveLength(1);
    const loser = replies.find((r) => !r.ok) as { error: { code: string } };
    expect(['stale_version', 'already_resolved']).toContain(loser.error.code);
    const winner = replies.findIndex((r) => r.ok);
    const after = await show(bead);
    if (winner === 0) expect(after.assignee).toBe('alpha/Slit');
    else expect(after.assignee).not.toBe('alpha/Slit');
  });

  it('refuses bad reassignments with nothing changed', async () => {
    const { bead, agent, e } = await stuck();
    const other = (await ok<Bead>('bd create', { title: 'busy', rig: 'alpha' })).id;
    await ok('gt sling', { id: other });
    const busy = (await show(other)).assignee as string;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ id: 'hq-nope' }, 'not_found'],
      [{ id: e.id, action: 'reassign:beta/Toast' }, 'cross_rig'],
      [{ id: e.id, action: `reassign:${busy}` }, 'polecat_busy'],
      [{ id: e.id, action: `reassign:${agent}` }, 'same_polecat'],
      [{ id: e.id, action: 'reassign:alpha/Nobody' }, 'unknown_polecat'],
      [{ id: e.id, action: 'reassign:ghost/Toast', force: true }, 'not_found'],
      [{ id: e.id, action: 'reassign:alpha' }, 'invalid_action'],
      [{ id: e.id, version: '0' }, 'stale_version'],
    ];
    for (const [args, code] of cases) {
      expect(await run('gt escalation resolve', args, alice)).toMatchObject({ ok: false, error: { code } });
    }
    expect(await show(bead)).toMatchObject({ status: 'hooked', assignee: agent });
    expect(await show(e.id)).toMatchObject({ status: 'open', version: e.version });
    expect(h.stops).toEqual([]);
  });

  it('reassigns across rigs only with --force', async () => {
    const { bead, e } = await stuck();
    const reply = await run(
      'gt escalation resolve',
      { id: e.id, action: 'reassign:beta/Toast', force: true },
      alice,
    );
    expect(reply.ok).toBe(true);
    expect(await show(bead)).toMatchObject({ status: 'hooked', assignee: 'beta/Toast' });
  });

  it('releases to the queue (slung again at once) or restarts the same polecat', async () => {
    const first = await stuck();
    await ok('gt escalation resolve', { id: first.e.id, action: 'reassign:queue' });
    expect(await show(first.bead)).toMatchObject({ status: 'hooked' }); // re-slung to a free polecat
    const second = await stuck();
    await ok('gt escalation resolve', { id: second.e.id, action: 'restart' });
    expect(await show(second.bead)).toMatchObject({
      status: 'hooked',
      assignee: second.agent,
      labels: ['respawns:1'],
    });
  });

  it('refuses to act on a bead that already left the agent’s hook, and puts nothing back half-done', async () => {
    const { bead, e } = await stuck();
    await ok('bd close', { ids: [bead] });
    expect(await run('gt escalation resolve', { id: e.id, action: 'restart' })).toMatchObject({
      ok: false,
      error: { code: 'condition_cleared' },
    });
    expect(await ok('gt escalation resolve', { id: e.id, action: 'acknowledge' })).toMatchObject({
      close_reason: 'Resolved: acknowledged by mayor',
    });
  });

  it('re-escalates an unacknowledged escalation when stale, at most twice; acknowledging stops it', async () => {
    const e = await ok<Escalation>('gt escalate', { summary: 'help', severity: 'low' });
    const bump = () => run('gt escalation reescalate', { id: e.id, 'stale-after': '3600' }, witness);
    expect(await bump()).toMatchObject({ ok: false, error: { code: 'not_due' } });
    h.advance(3_600_000);
    expect(await bump()).toMatchObject({
      ok: true,
      data: { severity: 'medium', reescalations: 1, priority: 2 },
    });
    expect(await bump()).toMatchObject({ ok: false, error: { code: 'not_due' } }); // the next is due an hour later
    h.advance(3_600_000);
    expect(await bump()).toMatchObject({ ok: true, data: { severity: 'high', reescalations: 2 } });
    h.advance(36_000_000);
    expect(await bump()).toMatchObject({ ok: false, error: { code: 'not_due' } }); // at most twice
    const other = await ok<Escalation>('gt escalate', {
      summary: 'other',
      severity: 'low',
      kind: 'decision',
    });
    await ok('gt escalation ack', { id: other.id });
    h.advance(3_600_000);
    expect(await run('gt escalation reescalate', { id: other.id, 'stale-after': '3600' })).toMatchObject({
      ok: false,
      error: { code: 'not_due' },
    });
  });

  it('retires with the reason, once', async () => {
    const { e } = await stuck();
    expect(
      await run('gt escalation retire', { id: e.id, why: 'alpha/Toast recovered' }, witness),
    ).toMatchObject({
      ok: true,
      data: { status: 'closed', close_reason: 'Retired: alpha/Toast recovered' },
    });
    expect(await run('gt escalation retire', { id: e.id, why: 'again' }, witness)).toMatchObject({
      ok: false,
      error: { code: 'already_resolved' },
    });
  });
});
