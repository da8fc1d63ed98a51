import { describe, expect, it } from 'vitest';
import type { Bead } from '../../src/domain/bead.ts';
import type { Signals } from '../../src/domain/witness.ts';
import type { StallMemory } from '../../src/domain/witness-policy.ts';
import { witnessPass } from '../../src/services/witness.ts';
import { useCommands } from './command-harness.ts';

type Process = NonNullable<Signals['process']>;

/**
 * The witness's actions (issue 5 item 4) over a real SQLite ledger and the command layer, with
 * the runner's reports and heartbeats given directly (the live bus is exercised end to end in
 * test/e2e/supervision.test.ts).
 */
describe('witness pass', () => {
  const h = useCommands((h) => h.ok('gt rig add', { name: 'alpha', prefix: 'al', 'max-polecats': '50' }));
  const { ok } = h;
  const seen = new Map<string, Pick<Signals, 'process' | 'heartbeatAt'>>();
  const memory = new Map<string, StallMemory>();
  const pass = () =>
    witnessPass(
      {
        ledger: h.ledger,
        execute: (verb, args) =>
          h.registry.execute({ verb, args, actor: { kind: 'system', id: 'witness' }, source: 'cron' }),
        observe: (agent) => seen.get(agent) ?? { process: null, heartbeatAt: null },
        thresholds: { spawnGraceMs: 60_000, stallMs: 180_000, maxRespawns: 3 },
        escalateAfterMs: 30_000,
        memory,
      },
      h.now(),
    );
  const show = async (id: string) => (await ok<Bead[]>('bd show', { ids: [id] }))[0] as Bead;
  const slung = async (title = 'work') => {
    const id = (await ok<Bead>('bd create', { title, rig: 'alpha' })).id;
    await ok('gt sling', { id });
    return { id, agent: (await show(id)).assignee as string };
  };
  const ago = (s: number) => new Date(h.now().getTime() - s * 1000).toISOString();
  const proc = (bead: string, over: Partial<Process> = {}): Process => ({
    bead,
    alive: true,
    exit_code: null,
    output_at: ago(1),
    reported_at: ago(1),
    started_at: ago(120),
    incarnation: 0,
    ...over,
  });
  const minutes = (n: number) => h.advance(n * 60_000);

  it('respawns a zombie up to the limit, then stops it and escalates the crash loop once', async () => {
    seen.clear();
    memory.clear();
    const { id, agent } = await slung();
    for (let respawn = 0; respawn < 3; respawn++) {
      minutes(2);
      seen.set(agent, {
        process: proc(id, { alive: false, exit_code: 137, incarnation: respawn }),
        heartbeatAt: null,
      });
      const s = await pass();
      expect(s.actions).toEqual([
        { agent, bead: id, action: 'respawn', why: expect.stringContaining('exit 137') },
      ]);
      expect((await show(id)).labels).toEqual([`respawns:${respawn + 1}`]);
      // The dead report is now a previous incarnation's, and the respawn is in its grace period.
      expect((await pass()).actions).toEqual([]);
    }
    minutes(2);
    seen.set(agent, { process: proc(id, { alive: false, exit_code: 1, incarnation: 3 }), heartbeatAt: null });
    const s = await pass();
    expect(s.verdicts['crash-loop']).toBe(1);
    expect(s.actions.map((a) => a.action)).toEqual(['stop-and-escalate']);
    expect(h.stops).toEqual([{ agent, bead: id }]);
    const [e] =
      await ok<Array<Bead & { kind: string; proposed_actions: string[]; severity: string }>>(
        'gt escalation list',
      );
    expect(e).toMatchObject({ kind: 'crash-loop', severity: 'high', title: `${agent} keeps dying on ${id}` });
    expect(e?.proposed_actions).toEqual(['reassign:alpha/Nux', 'reassign:queue', 'restart', 'acknowledge']);
    minutes(2);
    expect((await pass()).actions).toEqual([]); // left to the person while the escalation is open
    expect(await ok('gt escalation list')).toHaveLength(1);
  });

  it('nudges a stalled polecat, escalates if it stays stalled, and retires the escalation when it recovers', async () => {
    seen.clear();
    memory.clear();
    const { id, agent } = await slung();
    minutes(10);
    seen.set(agent, {
      process: proc(id, { output_at: ago(400), started_at: ago(600) }),
      heartbeatAt: ago(400),
    });
    expect((await pass()).actions.map((a) => a.action)).toEqual(['nudge']);
    expect((await h.ledger.takeNudges(agent, h.now()))[0]?.message).toMatch(/^witness: no activity on/);
    h.advance(10_000);
    expect((await pass()).actions).toEqual([]); // nudged 10 s ago: give it time
    h.advance(30_000);
    const s = await pass();
    expect(s.actions.map((a) => a.action)).toEqual(['escalate-stalled']);
    const [e] = await ok<Array<Bead & { kind: string; proposed_actions: string[] }>>('gt escalation list');
    expect(e).toMatchObject({ kind: 'stuck-agent', title: `${agent} is stalled on ${id}` });
    expect(e?.proposed_actions[0]).toBe('reassign:alpha/Nux');
    expect((await pass()).actions).toEqual([]); // no second nudge or report while it is open
    seen.set(agent, {
      process: proc(id, { output_at: ago(400), started_at: ago(600) }),
      heartbeatAt: ago(5),
    });
    const recovered = await pass();
    expect(recovered.retired).toEqual([e?.id]);
    expect((await show(e?.id as string)).close_reason).toMatch(new RegExp(`^Retired: ${agent} recovered: `));
  });

  it('does not retire an agent escalation on the benefit of the doubt a fresh spawn gets', async () => {
    seen.clear();
    const { id, agent } = await slung(); // just spawned: no report, no heartbeat, inside its grace
    const e = await ok<Bead>('gt escalate', {
      summary: 'stuck?',
      severity: 'low',
      kind: 'stuck-agent',
      agent,
      bead: id,
    });
    expect((await pass()).retired).toEqual([]);
    seen.set(agent, { process: proc(id, { started_at: ago(5) }), heartbeatAt: ago(1) }); // now it shows life
    expect((await pass()).retired).toEqual([e.id]);
  });

  it('retires an escalation about a bead once the bead is closed', async () => {
    seen.clear();
    const { id } = await slung();
    const e = await ok<Bead>('gt escalate', {
      summary: 'which API?',
      severity: 'low',
      kind: 'decision',
      bead: id,
    });
    expect((await pass()).retired).toEqual([]);
    await ok('bd close', { ids: [id] });
    expect((await pass()).retired).toEqual([e.id]);
    expect((await show(e.id)).close_reason).toBe(`Retired: ${id} was closed`);
  });

  it('gives 50 busy or heartbeating polecats no false verdict over many ticks', async () => {
    seen.clear();
    memory.clear();
    const polecats = [];
    for (let i = 0; i < 50; i++) polecats.push(await slung(`w${i}`));
    for (let tick = 0; tick < 60; tick++) {
      h.advance(30_000);
      polecats.forEach(({ id, agent }, p) => {
        // Output may be silent for long while heartbeats come every few minutes, or the reverse.
        const beat = (tick * 7 + p) % 170;
        const output = p % 2 ? (tick * 13 + p * 3) % 2000 : (tick + p) % 150;
        seen.set(agent, {
          process: proc(id, { output_at: ago(output) }),
          heartbeatAt: p % 2 ? ago(beat) : null,
        });
      });
      const s = await pass();
      expect(s.actions).toEqual([]);
      expect(s.verdicts).toMatchObject({ healthy: 50, stalled: 0, zombie: 0, 'crash-loop': 0 });
    }
  });
});
