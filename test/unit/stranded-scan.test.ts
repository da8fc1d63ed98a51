import { describe, expect, it } from 'vitest';
import type { Bead } from '../../src/domain/bead.ts';
import { FEEDER } from '../../src/services/convoy-feeder.ts';
import { type LivenessOf, strandedScan } from '../../src/services/stranded-scan.ts';
import { useCommands } from './command-harness.ts';

/** The stranded scan (issue 5 item 3) over a real SQLite ledger and the command layer. */
describe('stranded scan', () => {
  const h = useCommands(async (h) => {
    await h.ok('gt rig add', { name: 'alpha', prefix: 'al' });
    await h.ok('gt rig add', { name: 'beta', prefix: 'be' });
  });
  const { ok } = h;
  const now = new Date('2026-11-22T13:00:00Z');
  const noReports: LivenessOf = async () => null;
  const scan = (livenessOf = noReports) =>
    strandedScan(
      h.ledger,
      (verb, args) => h.registry.execute({ verb, args, actor: FEEDER, source: 'cron' }),
      livenessOf,
      now,
    );
  const bead = async (title: string, rig = 'alpha') => (await ok<Bead>('bd create', { title, rig })).id;
  const show = async (id: string) => (await ok<Bead[]>('bd show', { ids: [id] }))[0] as Bead;

  it('dispatches ready work nobody slung (a crash between the steps of a command)', async () => {
    const [a, b] = [await bead('a'), await bead('b')];
    await ok('gt convoy create', { words: ['open but never fed', a, b] });
    const summary = await scan();
    expect(summary.dispatched.sort()).toEqual([a, b].sort());
    expect((await show(a)).status).toBe('hooked');
    expect((await scan()).dispatched).toEqual([]); // nothing twice
  });

  it('releases and re-dispatches a bead whose polecat process is reported dead, and only then', async () => {
    const a = await bead('a');
    await ok('gt convoy create', { words: ['c', a] });
    await ok('gt sling', { id: a });
    const agent = (await show(a)).assignee as string;
    const reported =
      (alive: boolean, bead = a, at = '2026-11-22T12:00:00Z'): LivenessOf =>
      async (who) =>
        who === agent ? { bead, alive, reported_at: at } : null;
    expect((await scan(reported(true))).released).toEqual([]);
    expect((await scan(reported(false, 'al-other'))).released).toEqual([]); // a previous incarnation's report
    expect((await scan(reported(false, a, '2026-11-22T12:59:50Z'))).released).toEqual([]); // inside the grace period
    const summary = await scan(reported(false));
    expect(summary.released).toEqual([a]);
    expect(summary.dispatched).toEqual([a]);
    expect((await show(a)).status).toBe('hooked');
  });

  it('reports stuck convoys in one escalation, updates it, and retires it when they move', async () => {
    const blocker = await bead('outside blocker', 'beta');
    const a = await bead('a');
    await ok('bd dep add', { issue: a, 'depends-on': blocker });
    await ok('gt convoy create', { words: ['stuck one', a] });
    const b = await bead('b', 'beta');
    await ok('gt convoy create', { words: ['stuck two', b] });
    await ok('gt rig park', { name: 'beta' });
    const first = await scan();
    expect(first.stuck.map((s) => s.reason).sort()).toEqual(
      [`${a} is blocked`, `${b} on parked rig beta`].sort(),
    );
    await scan();
    const escalations = await ok<Bead[]>('gt escalation list');
    expect(escalations).toHaveLength(1);
    expect(escalations[0]).toMatchObject({
      title: '2 stranded convoy(s)',
      labels: expect.arrayContaining(['kind:stranded']),
    });
    await ok('gt rig unpark', { name: 'beta' });
    await ok('bd close', { ids: [blocker] });
    const moving = await scan();
    expect(moving.stuck).toEqual([]);
    expect(await ok('gt escalation list')).toEqual([]);
    expect((await ok<Bead[]>('gt escalation list', { all: true }))[0]?.close_reason).toMatch(
      /every convoy can move again/,
    );
  });
});
