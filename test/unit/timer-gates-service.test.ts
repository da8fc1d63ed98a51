import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formulaFiles } from '../../src/app/formula-files.ts';
import { CATALOG } from '../../src/commands/catalog.ts';
import { type GateRow, gtGateList } from '../../src/commands/gt/gate.ts';
import { CommandRegistry } from '../../src/commands/registry.ts';
import type { Actor } from '../../src/domain/actor.ts';
import type { Bead } from '../../src/domain/bead.ts';
import type { Reply } from '../../src/domain/reply.ts';
import type { LedgerEvent } from '../../src/ledger/port.ts';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.ts';
import { ConvoyFeeder, FEEDER } from '../../src/services/convoy-feeder.ts';
import { openDueTimerGates } from '../../src/services/timer-gates.ts';

type Run = { root: string; steps: Record<string, string>; convoy_id: string };

const OPERATOR: Actor = { kind: 'human', id: 'operator', operator: 'operator' };
const TIMER_JOB: Actor = { kind: 'system', id: 'timer-gates' };
const MINUTE = 60_000;

/**
 * The timer-gate job over a real SQLite file ledger and the real command layer, with the clock in
 * the test's hands: a formula run's timer gate is closed by the job (as its system actor, through
 * `bd close`) once its hour has passed since the run was poured and its step is done — not before
 * — and the convoy feeder then dispatches what waited on it.
 */
describe('timer gates: the cron job’s pass', () => {
  let ledger: SqliteLedger;
  let registry: CommandRegistry;
  let clock = 0;
  const poured = Date.parse('2026-05-01T10:00:00.000Z');
  const run = (verb: string, args: object = {}, actor: Actor = OPERATOR): Promise<Reply> =>
    registry.execute({ verb, args, actor, source: actor === OPERATOR ? 'cli' : 'cron' });
  const ok = async <T>(verb: string, args: object = {}): Promise<T> => {
    const reply = await run(verb, args);
    if (!reply.ok) throw new Error(`${verb}: ${reply.error.message}`);
    return reply.data as T;
  };
  const show = async (id: string) => (await ledger.getBead(id)) as Bead;
  const timerJob = (at: number) =>
    openDueTimerGates(ledger, (verb, args) => run(verb, args, TIMER_JOB), new Date(at));

  beforeEach(async () => {
    const home = mkdtempSync(join(tmpdir(), 'gt-timer-'));
    ledger = new SqliteLedger({ path: join(home, 'ledger.db') });
    await ledger.init();
    clock = poured;
    await ledger.addRig(
      { name: 'alpha', prefix: 'al', repo: mkdtempSync(join(tmpdir(), 'gt-timer-repo-')) },
      { actor: 't', now: new Date(clock) },
    );
    mkdirSync(join(home, 'formulas'));
    writeFileSync(
      join(home, 'formulas', 'soaked.formula.toml'),
      [
        'formula = "soaked"',
        '[[steps]]\nid = "build"\ntitle = "Build"\ngate = { type = "timer", timeout = "1h" }',
        '[[steps]]\nid = "ship"\ntitle = "Ship"\nneeds = ["build"]',
      ].join('\n'),
    );
    const formulas = formulaFiles({ home, rigs: () => ledger.listRigs() });
    registry = new CommandRegistry({ ledger, now: () => new Date(clock), formulas }, CATALOG, (err) => {
      throw err;
    });
  });
  afterEach(() => ledger.close());

  it('scenario 22 in a run: pending at +59 min, opened at +61 min by the job, then ship is fed', async () => {
    const r = await ok<Run>('gt formula run', { name: 'soaked', launch: true });
    const gate = r.steps['build.timer'] as string;
    expect(await show(gate)).toMatchObject({ issue_type: 'decision', status: 'open', is_blocked: true });
    expect((await show(r.steps.build as string)).status).toBe('hooked'); // work, slung at launch
    // Listed with its clock; nobody approves it.
    const rows = await ok<GateRow[]>('gt gate list');
    expect(rows).toEqual([
      expect.objectContaining({
        id: gate,
        kind: 'timer',
        ready: false,
        opens_at: '2026-05-01T11:00:00.000Z',
      }),
    ]);
    expect(gtGateList.text(rows)).toMatch(
      /^timer {3}\S+ {2}Wait 1h: Build {2}\(alpha\) {2}opens 2026-05-01T11:00:00\.000Z, once its step is done$/,
    );
    expect(await run('gt gate approve', { id: gate })).toMatchObject({
      ok: false,
      error: {
        code: 'timer_gate',
        message: expect.stringContaining(
          'opens by itself at 2026-05-01T11:00:00.000Z (1h after it was created)',
        ),
      },
    });

    // Its time has come, its step is not done: it waits for the step.
    expect(await timerJob(poured + 2 * 60 * MINUTE)).toEqual({ opened: [], skipped: [] });
    clock = poured + 10 * MINUTE;
    await ok('bd close', { ids: [r.steps.build] });
    // The step finished at +10 min; the clock still runs from the pour.
    expect(await timerJob(poured + 59 * MINUTE)).toEqual({ opened: [], skipped: [] });
    expect((await show(r.steps.ship as string)).is_blocked).toBe(true);

    clock = poured + 61 * MINUTE;
    expect(await timerJob(clock)).toEqual({ opened: [gate], skipped: [] });
    expect(await show(gate)).toMatchObject({
      status: 'closed',
      close_reason: 'Timer elapsed (1h since 2026-05-01T10:00:00.000Z)',
    });
    const closes = (await ledger.eventsSince(0, 10_000)).filter(
      (e) => e.type === 'bead_closed' && e.bead_id === gate,
    );
    expect(closes.map((e) => e.actor)).toEqual(['timer-gates']);
    expect(await show(r.steps.ship as string)).toMatchObject({ status: 'open', is_blocked: false });
    expect(await timerJob(clock)).toEqual({ opened: [], skipped: [] }); // once

    // The close's event, as the service delivers it to the feeder: ship goes to a polecat.
    const feeder = new ConvoyFeeder(ledger, (verb, args) =>
      registry.execute({ verb, args, actor: FEEDER, source: 'system' }),
    );
    await feeder.onClosed(closes[0] as LedgerEvent);
    expect((await show(r.steps.ship as string)).status).toBe('hooked');
    expect(await ok('gt gate list')).toEqual([]);
  });

  it('leaves a gate alone when a person opened it first, or its step was reopened meanwhile', async () => {
    const r = await ok<Run>('gt formula run', { name: 'soaked', launch: true });
    const gate = r.steps['build.timer'] as string;
    await ok('bd close', { ids: [r.steps.build] });
    const late = poured + 2 * 60 * MINUTE;
    // Between the job's read and its close, a person closes the gate: one close wins, once.
    const racedByAPerson = await openDueTimerGates(
      ledger,
      async (verb, args) => {
        await ok('bd close', { ids: [gate], reason: 'opened early by hand' });
        return run(verb, args, TIMER_JOB);
      },
      new Date(late),
    );
    expect(racedByAPerson).toEqual({
      opened: [],
      skipped: [{ id: gate, why: expect.stringContaining('already closed') }],
    });
    expect((await show(gate)).close_reason).toBe('opened early by hand');

    // Its step reopened between the read and the close: the close is refused, the gate waits again.
    await ok('bd reopen', { ids: [gate] });
    const racedByReopen = await openDueTimerGates(
      ledger,
      async (verb, args) => {
        await ok('bd reopen', { ids: [r.steps.build] });
        return run(verb, args, TIMER_JOB);
      },
      new Date(late),
    );
    expect(racedByReopen.skipped).toEqual([{ id: gate, why: expect.stringContaining('blocked') }]);
    expect(await show(gate)).toMatchObject({ status: 'open', is_blocked: true });
  });

  it('staging the run again keeps the timer gate tracked by its convoy', async () => {
    const r = await ok<Run>('gt formula run', { name: 'soaked' });
    const gate = r.steps['build.timer'] as string;
    const trackedBy = async () =>
      (await ledger.dependentsOf(gate)).filter((d) => d.type === 'tracks').map((d) => d.issue_id);
    expect(await trackedBy()).toEqual([r.convoy_id]);
    await ok('gt convoy stage', { ids: [r.convoy_id] });
    expect(await trackedBy()).toEqual([r.convoy_id]);
  });

  it('runs the shipped bug-triage: verify waits on the regression test’s timer, 24h from the pour', async () => {
    const r = await ok<Run>('gt formula run', { name: 'bug-triage' });
    const gate = r.steps['regression-test.timer'] as string;
    expect((await show(gate)).parent).toBe(r.steps.fix);
    const verify = r.steps.verify as string;
    const blockers = (await ledger.dependenciesOf(verify)).filter((d) => d.type === 'blocks');
    expect(blockers.map((d) => d.depends_on_id)).toEqual([gate]);
    expect(await ok<GateRow[]>('gt gate list')).toEqual([
      expect.objectContaining({ id: gate, kind: 'timer', opens_at: '2026-05-02T10:00:00.000Z' }),
    ]);
  });
});
