import { beforeEach, describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../../src/ledger/port.ts';
import { ConvoyFeeder, FEEDER } from '../../src/services/convoy-feeder.ts';
import { useCommands } from './command-harness.ts';

/** The feeder's decisions (convoy.md §3.6, §4 54–56), driven with real ledger events. */
describe('convoy feeder', () => {
  const h = useCommands((h) => h.ok('gt rig add', { name: 'alpha', prefix: 'al', 'max-polecats': '2' }));
  const { ok } = h;
  let feeder: ConvoyFeeder;
  let calls: string[];
  beforeEach(() => {
    calls = [];
    feeder = new ConvoyFeeder(h.ledger, (verb, args) => {
      calls.push(`${verb} ${JSON.stringify(args)}`);
      return h.registry.execute({ verb, args, actor: FEEDER, source: 'system' });
    });
  });
  const bead = async (title: string, extra = {}) =>
    (await ok<{ id: string }>('bd create', { title, rig: 'alpha', ...extra })).id;
  const show = async (id: string) =>
    (await ok<Array<{ status: string; assignee: string | null }>>('bd show', { ids: [id] }))[0];
  const lastClose = async (id: string) =>
    (await h.ledger.eventsSince(0, 10_000))
      .filter((e) => e.type === 'bead_closed' && e.bead_id === id)
      .at(-1) as LedgerEvent;

  it('feeds every bead a close unblocks, not just one, and frees the closed bead’s slot', async () => {
    const a = await bead('a');
    const [b, c] = [await bead('b'), await bead('c')];
    await ok('bd dep add', { issue: b, 'depends-on': a });
    await ok('bd dep add', { issue: c, 'depends-on': a });
    const { convoy_id } = await ok<{ convoy_id: string }>('gt convoy launch', { ids: [a, b, c] });
    expect(await h.ledger.listSlots('alpha')).toHaveLength(1);
    await ok('bd close', { ids: [a] });
    await feeder.onClosed(await lastClose(a));
    expect([(await show(b))?.status, (await show(c))?.status]).toEqual(['hooked', 'hooked']);
    expect((await h.ledger.listSlots('alpha')).map((s) => s.bead_id).sort()).toEqual([b, c].sort());
    expect(await ok('gt convoy status', { convoy: convoy_id })).toMatchObject({
      status: 'open',
      completed: 1,
    });
  });

  it('leaves queued beads to their rig’s queue: a close elsewhere writes nothing for them', async () => {
    await ok('gt rig add', { name: 'beta', prefix: 'be', 'max-polecats': '1' });
    const both = [
      (await ok<{ id: string }>('bd create', { title: 'one', rig: 'beta' })).id,
      (await ok<{ id: string }>('bd create', { title: 'two', rig: 'beta' })).id,
    ];
    const a = await bead('a');
    await ok('gt convoy launch', { ids: [...both, a], force: true });
    // beta has one slot: one of its beads runs, the other waits in beta's queue.
    const queued = await h.ledger.listBeads({ rig: 'beta', label: 'gt:queued' });
    expect(queued).toHaveLength(1);
    const waiting = queued[0]?.id as string;
    await ok('bd close', { ids: [a] });
    const before = (await h.ledger.eventsSince(0, 10_000)).length;
    calls = [];
    await feeder.onClosed(await lastClose(a));
    expect(calls.filter((c) => c.includes(waiting))).toEqual([]);
    const after = await h.ledger.eventsSince(before, 10_000);
    expect(after.filter((e) => e.bead_id === waiting)).toEqual([]);
    expect((await show(waiting))?.status).toBe('open');
  });

  it('the same close twice changes nothing the second time', async () => {
    const a = await bead('a');
    const b = await bead('b');
    await ok('bd dep add', { issue: b, 'depends-on': a });
    await ok('gt convoy launch', { ids: [a, b] });
    await ok('bd close', { ids: [a] });
    const event = await lastClose(a);
    await feeder.onClosed(event);
    const claims = (await h.ledger.eventsSince(0, 10_000)).filter((e) => e.type === 'bead_claimed').length;
    await feeder.onClosed(event);
    expect((await h.ledger.eventsSince(0, 10_000)).filter((e) => e.type === 'bead_claimed').length).toBe(
      claims,
    );
    expect((await show(b))?.assignee).toMatch(/^alpha\//);
  });

  it('lands a completed convoy once; a reopened bead is not fed; staged convoys are left alone', async () => {
    const a = await bead('a');
    const { convoy_id } = await ok<{ convoy_id: string }>('gt convoy launch', { ids: [a] });
    await ok('bd close', { ids: [a] });
    const event = await lastClose(a);
    await feeder.onClosed(event);
    await feeder.onClosed(event);
    expect(await ok('gt convoy status', { convoy: convoy_id })).toMatchObject({ status: 'closed' });
    expect(
      (await h.ledger.eventsSince(0, 10_000)).filter(
        (e) => e.type === 'bead_closed' && e.bead_id === convoy_id,
      ),
    ).toHaveLength(1);
    const x = await bead('x');
    const y = await bead('y');
    await ok('bd dep add', { issue: y, 'depends-on': x });
    await ok('gt convoy stage', { ids: [x, y] });
    await ok('bd close', { ids: [x] });
    calls = [];
    await feeder.onClosed(await lastClose(x));
    expect(calls.filter((c) => c.startsWith('gt sling'))).toEqual([]);
    expect((await show(y))?.status).toBe('open');
  });

  it('a freed slot takes the rig’s queued beads by priority', async () => {
    const [a, b] = [await bead('a'), await bead('b')];
    await ok('gt sling', { id: a });
    await ok('gt sling', { id: b });
    const low = await bead('low', { priority: '3' });
    const high = await bead('high', { priority: '0' });
    expect(await ok('gt sling', { id: low })).toMatchObject({ status: 'queued' });
    expect(await ok('gt sling', { id: high })).toMatchObject({ status: 'queued' });
    await ok('bd close', { ids: [a] });
    await feeder.onClosed(await lastClose(a));
    expect((await show(high))?.status).toBe('hooked');
    expect((await show(low))?.status).toBe('open');
  });
});
