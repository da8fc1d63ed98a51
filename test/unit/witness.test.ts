import { describe, expect, it } from 'vitest';
import { assess, type Signals } from '../../src/domain/witness.ts';

const now = new Date('2026-11-22T12:00:00Z');
const at = (secondsAgo: number) => new Date(now.getTime() - secondsAgo * 1000).toISOString();
const base: Signals = {
  now,
  hookedBead: 'al-a1',
  spawnedAt: at(600),
  process: { bead: 'al-a1', alive: true, exit_code: null, output_at: at(10), reported_at: at(2) },
  heartbeatAt: at(30),
  respawns: 0,
};
const with_ = (over: Partial<Signals>): Signals => ({ ...base, ...over });
const proc = base.process as NonNullable<Signals['process']>;

describe('witness verdicts', () => {
  it('healthy when any activity signal is fresh; a busy or heartbeating polecat is never flagged', () => {
    expect(assess(base)).toMatchObject({ verdict: 'healthy', actionable: false });
    // Silent output but fresh heartbeats: still healthy (never one signal).
    expect(assess(with_({ process: { ...proc, output_at: at(3600) } })).verdict).toBe('healthy');
    // Output but no heartbeat at all: still healthy.
    expect(assess(with_({ heartbeatAt: null })).verdict).toBe('healthy');
  });

  it('idle when nothing is hooked', () => {
    expect(assess(with_({ hookedBead: null }))).toMatchObject({ verdict: 'idle', actionable: false });
  });

  it('stalled when hooked and every signal is old, naming the signals', () => {
    const a = assess(with_({ process: { ...proc, output_at: at(900) }, heartbeatAt: at(900) }));
    expect(a).toMatchObject({ verdict: 'stalled', actionable: true });
    expect(a.why).toBe(
      'hooked to al-a1 and quiet: last output 900s ago, last heartbeat 900s ago, spawned 600s ago',
    );
  });

  it('zombie when the runner reports this bead’s process gone; a previous incarnation’s report is ignored', () => {
    const gone = { ...proc, alive: false, exit_code: 137 };
    expect(assess(with_({ process: gone }))).toMatchObject({
      verdict: 'zombie',
      actionable: true,
      why: expect.stringContaining('exit 137'),
    });
    expect(assess(with_({ process: { ...gone, bead: 'al-old' } })).verdict).toBe('healthy');
    // The same bead before its latest respawn is a previous incarnation too (gastown#3998).
    expect(assess(with_({ respawns: 1, process: gone })).verdict).toBe('healthy');
  });

  it('crash-loop past the respawn limit; nothing is actionable inside the spawn grace period', () => {
    const dead = { ...proc, alive: false, exit_code: 1 };
    expect(assess(with_({ respawns: 3, process: { ...dead, incarnation: 3 } }))).toMatchObject({
      verdict: 'crash-loop',
      actionable: true,
      why: expect.stringContaining('after 3 respawns of al-a1 (limit 3)'),
    });
    expect(assess(with_({ respawns: 2, process: { ...dead, incarnation: 2 } })).verdict).toBe('zombie');
    // Still alive after its respawns: not a crash loop (it is running now).
    expect(assess(with_({ respawns: 3, process: { ...proc, incarnation: 3 } })).verdict).toBe('healthy');
    const fresh = assess(with_({ spawnedAt: at(5), process: { ...proc, alive: false, exit_code: 1 } }));
    expect(fresh).toMatchObject({ verdict: 'zombie', actionable: false });
  });

  it('gives no false verdicts to 50 healthy polecats over many ticks', () => {
    for (let tick = 0; tick < 200; tick++) {
      for (let p = 0; p < 50; p++) {
        const lastBeat = (tick * 7 + p) % 170; // heartbeats every few minutes at most
        const lastOutput = (tick * 13 + p * 3) % 2000; // output may be quiet for long
        const v = assess(
          with_({ heartbeatAt: at(lastBeat), process: { ...proc, output_at: at(lastOutput) } }),
        );
        expect(v.verdict).toBe('healthy');
      }
    }
  });
});
