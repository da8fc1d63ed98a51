import { beforeEach, describe, expect, it } from 'vitest';
import type { BudgetResult } from '../../src/commands/gt/convoy/budget.ts';
import type { Actor } from '../../src/domain/actor.ts';
import type { Bead } from '../../src/domain/bead.ts';
import type { Reply } from '../../src/domain/reply.ts';
import { QUEUED_LABEL } from '../../src/domain/sling.ts';
import type { LedgerEvent } from '../../src/ledger/port.ts';
import { ConvoyFeeder, FEEDER } from '../../src/services/convoy-feeder.ts';
import { strandedScan } from '../../src/services/stranded-scan.ts';
import { useCommands } from './command-harness.ts';

const runner: Actor = { kind: 'system', id: 'runner:alpha' };

/**
 * The feeder with a convoy over its budget, driven with real ledger events: a close frees its
 * slot, but the queued beads of the used-up convoy are refused (they stay queued, the slot stays
 * free); Extend slings them at once, without waiting for another close.
 */
describe('the convoy feeder and a used-up budget', () => {
  const h = useCommands((h) => h.ok('gt rig add', { name: 'alpha', prefix: 'al', 'max-polecats': '1' }));
  const { ok } = h;
  let feeder: ConvoyFeeder;
  let replies: Array<{ verb: string; reply: Reply }>;
  beforeEach(() => {
    replies = [];
    feeder = new ConvoyFeeder(h.ledger, async (verb, args) => {
      const reply = await h.registry.execute({ verb, args, actor: FEEDER, source: 'system' });
      replies.push({ verb, reply });
      return reply;
    });
  });
  const bead = async (id: string) => (await h.ledger.getBead(id)) as Bead;
  const lastClose = async (id: string) =>
    (await h.ledger.eventsSince(0, 10_000))
      .filter((e) => e.type === 'bead_closed' && e.bead_id === id)
      .at(-1) as LedgerEvent;

  it('refuses the queued beads of a used-up convoy and feeds them once extended', async () => {
    const ids: string[] = [];
    for (const t of ['one', 'two', 'three'])
      ids.push((await ok<Bead>('bd create', { title: t, rig: 'alpha' })).id);
    const { convoy_id: convoy } = await ok<{ convoy_id: string }>('gt convoy stage', { ids, budget: '1' });
    await ok('gt convoy launch', { ids: [convoy] });
    // One slot: one bead runs, the other two wait in the rig's queue (wave order: by id).
    const [one, two, three] = [...ids].sort() as [string, string, string];
    expect((await bead(one)).status).toBe('hooked');
    const agent = (await bead(one)).assignee as string;
    const report = await h.run(
      'gt usage report',
      {
        bead: one,
        agent,
        rig: 'alpha',
        input: '1',
        output: '1',
        'cache-read': '0',
        'cache-write': '0',
        cost: '1',
      },
      runner,
    );
    expect(report.ok).toBe(true);
    await ok('bd close', { ids: [one] });
    await feeder.onClosed(await lastClose(one));
    const slung = replies.filter((r) => r.verb === 'gt sling').map((r) => r.reply);
    expect(slung).toEqual([
      expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'over_budget' }) }),
      expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'over_budget' }) }),
    ]);
    for (const id of [two, three]) expect(await bead(id)).toMatchObject({ status: 'open', assignee: null });
    expect((await bead(two)).labels).toContain(QUEUED_LABEL);
    expect(await h.ledger.listSlots('alpha')).toEqual([]);

    const extended = await ok<BudgetResult>('gt convoy budget', { convoy, extend: '1' });
    // By priority, then age: the older one takes the free slot, the other waits its turn again.
    const [older, newer] = [two, three].sort((a, b) => ids.indexOf(a) - ids.indexOf(b)) as [string, string];
    expect(extended.dispatched).toEqual([
      expect.objectContaining({ id: older, ok: true, status: 'hooked' }),
      expect.objectContaining({ id: newer, ok: true, status: 'queued' }),
    ]);
    expect((await bead(older)).labels).not.toContain(QUEUED_LABEL);
  });

  it('the stranded scan leaves a used-up convoy’s ready beads alone, and feeds them once extended', async () => {
    const scan = () =>
      strandedScan(
        {
          ledger: h.ledger,
          execute: (verb, args) => h.registry.execute({ verb, args, actor: FEEDER, source: 'cron' }),
          observe: () => ({ process: null, heartbeatAt: null }),
          staleMs: 180_000,
          spawnGraceMs: 60_000,
          maxRespawns: 3,
        },
        h.now(),
      );
    const [a, b] = [
      (await ok<Bead>('bd create', { title: 'a', rig: 'alpha' })).id,
      (await ok<Bead>('bd create', { title: 'b', rig: 'alpha' })).id,
    ];
    const convoy = (await ok<{ id: string }>('gt convoy create', { words: ['c', a, b], budget: '0.5' })).id;
    await ok('gt sling', { id: a });
    const agent = (await bead(a)).assignee as string;
    const args = {
      bead: a,
      agent,
      rig: 'alpha',
      input: '1',
      output: '1',
      'cache-read': '0',
      'cache-write': '0',
    };
    expect((await h.run('gt usage report', { ...args, cost: '0.5' }, runner)).ok).toBe(true);
    await ok('bd close', { ids: [a] });
    await h.ledger.freeSlot('alpha', agent.split('/')[1] as string, a);
    const audited = (await h.ledger.listAudit(1000)).length;
    expect((await scan()).dispatched).toEqual([]);
    expect(await bead(b)).toMatchObject({ status: 'open', assignee: null });
    expect((await h.ledger.listAudit(1000)).length).toBe(audited); // no refused sling each pass
    await ok('gt convoy budget', { convoy, extend: '1' }); // dispatches b itself
    expect((await bead(b)).status).toBe('hooked');
  });
});
