import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actor.ts';
import { useCommands } from './command-harness.ts';

/** gt hook and gt done as a polecat calls them (comms-supervision.md §3.2, §3.5). */
describe('agent verbs', () => {
  const h = useCommands((h) => h.ok('gt rig add', { name: 'alpha', prefix: 'al', 'max-polecats': '1' }));
  const { run, ok } = h;
  const toast: Actor = { kind: 'agent', id: 'alpha/Toast' };
  const slung = async (title: string) => {
    const id = (await ok<{ id: string }>('bd create', { title, rig: 'alpha', description: 'do the thing' }))
      .id;
    await ok('gt sling', { id });
    return id;
  };

  it('gt hook shows the hooked bead and its prompt; nothing when empty', async () => {
    expect(await run('gt hook', {}, toast)).toMatchObject({
      ok: true,
      data: { agent: 'alpha/Toast', bead: null, prompt: null },
    });
    const id = await slung('Fix login');
    const reply = await run('gt hook', {}, toast);
    expect(reply).toMatchObject({
      ok: true,
      data: {
        bead: { id, status: 'hooked' },
        prompt: { title: 'Fix login', description: 'do the thing', branch: `polecat/Toast/${id}` },
      },
    });
    expect(await ok('gt hook', { agent: 'alpha/Toast' })).toMatchObject({ bead: { id } });
  });

  it('gt done closes the bead, records branch and commit, and frees the slot for queued work', async () => {
    const id = await slung('a');
    const queued = (await ok<{ id: string }>('bd create', { title: 'b', rig: 'alpha' })).id;
    expect(await ok('gt sling', { id: queued })).toMatchObject({ status: 'queued' });
    const done = await run('gt done', { branch: `polecat/Toast/${id}`, commit: 'abc123' }, toast);
    expect(done).toMatchObject({
      ok: true,
      data: { id, exit: 'completed', status: 'closed', commit: 'abc123' },
    });
    expect(await ok('bd show', { ids: [id] })).toMatchObject([
      { status: 'closed', close_reason: 'Done by alpha/Toast at abc123' },
    ]);
    expect(await h.ledger.listComments(id)).toMatchObject([
      { text: expect.stringContaining(`on polecat/Toast/${id} at abc123`), author: 'alpha/Toast' },
    ]);
    expect(await h.ledger.listSlots('alpha')).toEqual([]);
    expect(await ok('gt sling', { id: queued })).toMatchObject({ status: 'hooked', polecat: 'alpha/Toast' });
  });

  it('escalated and deferred exits, and refusals', async () => {
    expect(await run('gt done', {}, toast)).toMatchObject({ ok: false, error: { code: 'nothing_hooked' } });
    const id = await slung('hard');
    expect(await run('gt done', { status: 'exploded' }, toast)).toMatchObject({
      ok: false,
      error: { code: 'invalid_done_status' },
    });
    expect(await run('gt done', { status: 'escalated' }, toast)).toMatchObject({
      ok: true,
      data: { status: 'blocked' },
    });
    expect(await ok('bd show', { ids: [id] })).toMatchObject([
      { status: 'blocked', labels: ['gt:escalated'], assignee: 'alpha/Toast' },
    ]);
    const other = await slung('later');
    expect(await run('gt done', { status: 'deferred' }, toast)).toMatchObject({
      ok: true,
      data: { id: other, status: 'deferred' },
    });
    expect(await ok('bd show', { ids: [other] })).toMatchObject([{ status: 'deferred', assignee: null }]);
  });

  it('gt polecats lists who holds a slot on which bead', async () => {
    expect(await ok('gt polecats')).toEqual([]);
    const id = await slung('x');
    expect(await ok('gt polecats', { rig: 'alpha' })).toEqual([
      {
        rig: 'alpha',
        name: 'Toast',
        address: 'alpha/Toast',
        bead_id: id,
        bead_status: 'hooked',
        since: expect.any(String),
        respawns: 0,
        pid: null,
        verdict: 'healthy',
        why: expect.stringContaining('in spawn grace'),
        rig_paused: null,
      },
    ]);
    h.advance(10 * 60_000); // ten quiet minutes, no heartbeat, no runner report
    expect(await ok('gt polecats')).toMatchObject([
      { verdict: 'stalled', why: expect.stringContaining('last heartbeat never') },
    ]);
  });
});
