import { describe, expect, it } from 'vitest';
import type { Bead } from '../../src/domain/bead.ts';
import type { Signals } from '../../src/domain/witness.ts';
import { FEEDER } from '../../src/services/convoy-feeder.ts';
import { strandedScan } from '../../src/services/stranded-scan.ts';
import { useCommands } from './command-harness.ts';

/** The stranded scan (issue 5 item 3) over a real SQLite ledger and the command layer. */
describe('stranded scan', () => {
  const h = useCommands(async (h) => {
    await h.ok('gt rig add', { name: 'alpha', prefix: 'al' });
    await h.ok('gt rig add', { name: 'beta', prefix: 'be' });
  });
  const { ok } = h;
  type Observe = (agent: string) => Pick<Signals, 'process' | 'heartbeatAt'>;
  const nothing: Observe = () => ({ process: null, heartbeatAt: null });
  const later = (minutes: number) => new Date(Date.parse('2026-11-22T12:00:00Z') + minutes * 60_000);
  const scan = (observe: Observe = nothing, now = later(60)) =>
    strandedScan(
      {
        ledger: h.ledger,
        execute: (verb, args) => h.registry.execute({ verb, args, actor: FEEDER, source: 'cron' }),
        observe,
        staleMs: 180_000,
        spawnGraceMs: 60_000,
        maxRespawns: 3,
      },
      now,
    );
  const bead = async (title: string, rig = 'alpha') => (await ok<Bead>('bd create', { title, rig })).id;
  const show = async (id: string) => (await ok<Bead[]>('bd show', { ids: [id] }))[0] as Bead;

  it('lands a convoy whose beads all closed while nobody landed it (a lost close event)', async () => {
    const a = await bead('only');
    const convoy = (await ok<{ id: string }>('gt convoy create', { words: ['finished unnoticed', a] })).id;
    await ok('bd close', { ids: [a] }); // no feeder runs here: the convoy stays open
    expect((await show(convoy)).status).toBe('open');
    expect((await scan()).landed).toEqual([convoy]);
    expect((await show(convoy)).status).toBe('closed');
    expect((await scan()).landed).toEqual([]); // once
  });

  it('dispatches ready work nobody slung (a crash between the steps of a command)', async () => {
    const [a, b] = [await bead('a'), await bead('b')];
    await ok('gt convoy create', { words: ['open but never fed', a, b] });
    const summary = await scan();
    expect(summary.dispatched.sort()).toEqual([a, b].sort());
    expect((await show(a)).status).toBe('hooked');
    expect((await scan()).dispatched).toEqual([]); // nothing twice
  });

  const slung = async () => {
    const a = await bead('a');
    await ok('gt convoy create', { words: ['c', a] });
    await ok('gt sling', { id: a });
    return { a, agent: (await show(a)).assignee as string };
  };
  const report = (bead: string, minutesAgo: number, over: object = {}) => ({
    bead,
    alive: true,
    exit_code: null,
    output_at: later(60 - minutesAgo).toISOString(),
    reported_at: later(60 - minutesAgo).toISOString(),
    ...over,
  });

  it('releases and re-dispatches a bead whose polecat shows no sign of life, and only then', async () => {
    const { a, agent } = await slung();
    const seen =
      (process: object | null, heartbeatAt: string | null = null): Observe =>
      (who) =>
        who === agent ? { process: process as Signals['process'], heartbeatAt } : nothing(who);
    expect((await scan(nothing, later(2))).released).toEqual([]); // inside the grace period
    expect((await scan(seen(report(a, 1)))).released).toEqual([]); // its runner reports it
    expect((await scan(seen(null, later(59).toISOString()))).released).toEqual([]); // it heartbeats
    expect((await scan(seen(report(a, 1, { alive: false })))).released).toEqual([]); // a zombie: the witness's
    const summary = await scan(seen(report('al-other', 1))); // only a previous incarnation's report
    expect(summary.released).toEqual([a]);
    // Released with its respawn counted, and slung again at once by the release itself.
    expect(await show(a)).toMatchObject({ status: 'hooked', labels: ['respawns:1'] });
    expect((await scan(seen(report(a, 1, { incarnation: 1 })))).released).toEqual([]); // the respawned one reports
  });

  it('hands an abandoned bead to a person when work would be lost or the respawn limit is reached', async () => {
    const { a, agent } = await slung();
    const dirty = report(a, 30, { alive: false, uncommitted: 2, worktree: '/w/nux-al-x' });
    const summary = await scan((who) => ({ process: who === agent ? dirty : null, heartbeatAt: null }));
    expect(summary).toMatchObject({ released: [], escalated: [a] });
    const [e] = await ok<Array<Bead & { kind: string; proposed_actions: string[] }>>('gt escalation list');
    expect(e).toMatchObject({ kind: 'dead-agent', agent, bead_id: a, severity: 'high' });
    expect(e?.description).toContain('2 uncommitted file(s) left in /w/nux-al-x');
    expect(e?.proposed_actions).toEqual([
      expect.stringMatching(/^reassign:alpha\//),
      'reassign:queue',
      'restart',
      'acknowledge',
    ]);
    expect((await scan()).escalated).toEqual([]); // under escalation: left to the person
    expect((await show(a)).assignee).toBe(agent);
  });

  it('escalates instead of releasing once the bead has used up its respawns', async () => {
    const { a, agent } = await slung();
    await ok('bd label add', { id: a, label: 'respawns:3' });
    expect(await scan()).toMatchObject({ released: [], escalated: [a] });
    expect((await show(a)).assignee).toBe(agent);
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

  it('a convoy waiting on a timer gate is waiting, not stuck; one waiting on a person is stuck', async () => {
    const gated = async (...labels: string[]) => {
      const gate = (
        await ok<Bead>('bd create', {
          title: `gate ${labels[0]}`,
          rig: 'alpha',
          type: 'decision',
          labels,
        })
      ).id;
      const work = await bead(`after ${labels[0]}`);
      await ok('bd dep add', { issue: work, 'depends-on': gate });
      await ok('gt convoy create', { words: [`waits on ${labels[0]}`, gate, work] });
      return gate;
    };
    await gated('gate:timer', 'gate-timeout:3600000');
    const human = await gated('gate:human');
    const s = await scan();
    expect(s.stuck.map((x) => x.reason)).toEqual([expect.stringContaining(`${human} is a decision (gate)`)]);
  });
});
