import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './runner-process.ts';
import { Town } from './town.ts';

type Bead = { id: string; status: string; close_reason: string; assignee: string | null };
type Run = { steps: Record<string, string>; convoy_id: string; status: string };

/**
 * A timer gate in a running town: `gt formula run --launch` cooks `build`, its one-second timer
 * gate and `ship` after it; once `build` is done and the second has passed, the leader's cron job
 * closes the gate by itself and the convoy feeder dispatches `ship` — no person involved.
 */
describe('gt formula run with a timer gate, end to end', () => {
  const town = new Town();
  const show = async (id: string) => (await town.json<Bead[]>('bd', ['show', id]))[0] as Bead;

  beforeAll(async () => {
    // The timer job runs on the witness's beat: every second here.
    await town.up(['--http-port', '0'], { GT_WITNESS_INTERVAL_S: '1' });
    await town.json('gt', ['rig', 'add', 'web', '--prefix', 'web']);
    mkdirSync(join(town.home, 'formulas'), { recursive: true });
    writeFileSync(
      join(town.home, 'formulas', 'soaked.formula.toml'),
      [
        'formula = "soaked"',
        '[[steps]]\nid = "build"\ntitle = "Build"\ngate = { type = "timer", timeout = "1s" }',
        '[[steps]]\nid = "ship"\ntitle = "Ship"\nneeds = ["build"]',
      ].join('\n'),
    );
  }, 30_000);
  afterAll(() => town.destroy());

  it('opens the gate by itself once build is done and its second passed, then feeds ship', async () => {
    const run = await town.json<Run>('gt', ['formula', 'run', 'soaked', '--launch']);
    const gate = run.steps['build.timer'] as string;
    const ship = run.steps.ship as string;
    expect(run.status).toBe('open');
    const listed = await town.json<Array<{ id: string; kind: string; opens_at: string }>>('gt', [
      'gate',
      'list',
    ]);
    expect(listed).toEqual([expect.objectContaining({ id: gate, kind: 'timer' })]);
    // A person cannot approve it; it says when it opens.
    const approve = await town.run('gt', ['gate', 'approve', gate]);
    expect(approve.code).not.toBe(0);
    expect(approve.stderr).toContain('opens by itself at');
    // It also waits for its step (the unit test shows that at any hour): build is still open.
    expect((await show(gate)).status).toBe('open');
    await town.json('bd', ['close', run.steps.build as string]);
    await waitFor(
      async () => (await show(ship)).status === 'hooked',
      20_000,
      () => `ship was never fed: gate ${JSON.stringify(listed)}\n${town.serviceOutput.slice(-3000)}`,
    );
    expect(await show(gate)).toMatchObject({
      status: 'closed',
      close_reason: expect.stringMatching(/^Timer elapsed \(1s since \d{4}-\d\d-\d\dT[\d:.]+Z\)$/),
    });
    expect(await show(ship)).toMatchObject({ assignee: expect.stringMatching(/^web\//) });
    expect(await town.json('gt', ['gate', 'list'])).toEqual([]);
  }, 60_000);
});
