import { describe, expect, it } from 'vitest';
import type { Bead } from '../../src/domain/bead.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { signalsFor } from '../../src/domain/polecat-signals.ts';
import { buildRig, type Rig } from '../../src/domain/rig.ts';
import {
  describeLimit,
  dispatchPause,
  isDue,
  isPaused,
  isPauseOpen,
  liftedLimit,
  limitReason,
  parseResetAt,
  type UsageLimit,
} from '../../src/domain/usage-limit.ts';
import { parseAccount, rigsSharingAccount } from '../../src/domain/usage-limit-account.ts';
import {
  BASE_BACKOFF_S,
  jitterMs,
  type LimitReport,
  MAX_BACKOFF_S,
  MAX_JITTER_MS,
  nextBackoffS,
  nextPause,
} from '../../src/domain/usage-limit-backoff.ts';
import { noticeCleared } from '../../src/domain/usage-limit-notice.ts';
import { incarnationOf, limitRequeuePatch, limitRequeues } from '../../src/domain/usage-limit-requeues.ts';
import { assess, DEFAULT_THRESHOLDS, type Signals } from '../../src/domain/witness.ts';
import { decideAction } from '../../src/domain/witness-policy.ts';

const NOW = new Date('2026-12-05T12:00:00.000Z');
const at = (s: number) => new Date(NOW.getTime() + s * 1000);
const iso = (s: number) => at(s).toISOString();
const report = (reset_at: string | null, message = "You've hit your limit"): LimitReport => ({
  agent: 'alpha/Toast',
  reset_at,
  message,
});
const ctx = (over: { now?: Date; random?: () => number; workedSincePrevious?: boolean } = {}) => ({
  now: NOW,
  random: () => 0,
  workedSincePrevious: false,
  ...over,
});
const waitS = (l: UsageLimit, from = NOW) => (Date.parse(l.until) - from.getTime()) / 1000;

describe('usage-limit pause (domain)', () => {
  it('waits until the reset time the agent named, plus jitter within a tenth of the wait (at most a minute)', () => {
    const lo = nextPause(null, report(iso(7200)), ctx({ random: () => 0 }));
    const hi = nextPause(null, report(iso(7200)), ctx({ random: () => 0.999_999_9 }));
    expect(lo).toEqual({
      limit: {
        until: iso(7200),
        reason: "You've hit your limit",
        backoff_s: 0,
        by: 'alpha/Toast',
        at: NOW.toISOString(),
        lifted_at: null,
      },
      started: true,
    });
    expect(waitS(hi?.limit as UsageLimit)).toBeGreaterThan(7200 + 59);
    expect(waitS(hi?.limit as UsageLimit)).toBeLessThan(7200 + 60);
    // A short wait gets a short jitter (a tenth), never under a second's span.
    expect(jitterMs(20_000, () => 0.5)).toBe(1000);
    expect(jitterMs(2_000, () => 0.5)).toBe(500);
    expect(jitterMs(10 * 3_600_000, () => 0.5)).toBe(MAX_JITTER_MS / 2);
    // Randomness outside [0, 1) cannot push it past its bounds.
    expect(jitterMs(20_000, () => 7)).toBeLessThan(2000);
    expect(jitterMs(20_000, () => -1)).toBe(0);
  });

  it('without a reset time backs off 1, 2, 4 … minutes, capped at an hour, never a tight loop', () => {
    let previous: UsageLimit | null = null;
    const waits: number[] = [];
    let now = NOW;
    for (let i = 0; i < 9; i++) {
      const change = nextPause(previous, report(null), ctx({ now }));
      expect(change?.started).toBe(true);
      const limit = (change as { limit: UsageLimit }).limit;
      waits.push(waitS(limit, now));
      // The lift job lifts it; the next probe hits the same wall at once.
      now = new Date(Date.parse(limit.until) + 1000);
      previous = liftedLimit(limit, now);
    }
    expect(waits).toEqual([60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
    expect(nextBackoffS(null, false)).toBe(BASE_BACKOFF_S);
    expect(nextBackoffS({ ...(previous as UsageLimit), backoff_s: MAX_BACKOFF_S }, false)).toBe(
      MAX_BACKOFF_S,
    );
  });

  it('starts the backoff over once work got through since the previous pause (a successful run)', () => {
    const lifted = liftedLimit(
      { until: iso(-10), reason: 'x', backoff_s: 480, by: 'alpha/Nux', at: iso(-500), lifted_at: null },
      at(-5),
    );
    expect(waitS(nextPause(lifted, report(null), ctx())?.limit as UsageLimit)).toBe(960);
    expect(
      waitS(nextPause(lifted, report(null), ctx({ workedSincePrevious: true }))?.limit as UsageLimit),
    ).toBe(60);
  });

  it('while a pause holds, more polecats hitting the wall only make it longer: one wall, one step', () => {
    const first = (nextPause(null, report(null), ctx()) as { limit: UsageLimit }).limit;
    // A second polecat 10 s later: the same backoff from now, not a doubled one.
    const second = nextPause(first, report(null, 'again'), ctx({ now: at(10) }));
    expect(second).toEqual({ limit: { ...first, until: iso(70), reason: 'again' }, started: false });
    // One that says the wall lifts sooner changes nothing.
    expect(nextPause(second?.limit ?? null, report(iso(30)), ctx({ now: at(11) }))).toBeNull();
    // One that names a later reset makes it longer, keeping who started the pause and when.
    const later = nextPause(second?.limit ?? null, report(iso(7200)), ctx({ now: at(12) }));
    expect(later?.limit).toMatchObject({ until: iso(7200), backoff_s: 0, by: 'alpha/Toast', at: iso(0) });
    expect(later?.started).toBe(false);
  });

  it('reads a reset time already past as none, and a due pause nobody lifted as over', () => {
    expect(nextPause(null, report(iso(-60)), ctx())?.limit.backoff_s).toBe(BASE_BACKOFF_S);
    const due: UsageLimit = {
      until: iso(-1),
      reason: 'x',
      backoff_s: 60,
      by: 'a/B',
      at: iso(-61),
      lifted_at: null,
    };
    expect(isDue(due, NOW) && !isPaused(due, NOW) && isPauseOpen(due)).toBe(true);
    const next = nextPause(due, report(null), ctx());
    expect([next?.started, next && waitS(next.limit)]).toEqual([true, 120]);
  });

  it('says why dispatch waits, only while the pause holds', () => {
    const limit: UsageLimit = {
      until: iso(60),
      reason: 'resets 1pm',
      backoff_s: 0,
      by: 'alpha/Toast',
      at: iso(0),
      lifted_at: null,
    };
    const rig = { name: 'alpha', usage_limit: limit };
    expect(dispatchPause(rig, NOW)).toBe(`rig alpha is paused: usage limit until ${iso(60)} (resets 1pm)`);
    expect(dispatchPause(rig, at(60))).toBeNull(); // its time has come, even before the lift job ran
    expect(dispatchPause({ name: 'alpha', usage_limit: liftedLimit(limit, at(1)) }, NOW)).toBeNull();
    expect(dispatchPause({ name: 'alpha', usage_limit: null }, NOW)).toBeNull();
    expect(describeLimit({ ...limit, reason: '' })).toBe(`usage limit until ${iso(60)}`);
  });

  it('keeps the agent’s words on one line, bounded; refuses a reset time that is not a time, with a hint', () => {
    expect(limitReason('  You hit\n  your limit ')).toBe('You hit your limit');
    expect(limitReason('x'.repeat(1000))).toHaveLength(300);
    expect(parseResetAt('2026-12-05T14:00:00+01:00')).toBe('2026-12-05T13:00:00.000Z');
    for (const bad of ['tomorrow', '1764950400', '2026-13-45T99:00:00Z']) {
      const err = (() => {
        try {
          parseResetAt(bad);
        } catch (e) {
          return e as DomainError;
        }
        return null;
      })();
      expect(err).toBeInstanceOf(DomainError);
      expect([err?.kind, err?.code]).toEqual(['usage', 'bad_reset_at']);
      expect(err?.message).toMatch(/give an ISO time/);
    }
  });
});

describe('accounts shared by rigs', () => {
  const rig = (name: string, account: string | null): Rig => ({
    ...buildRig({ name, prefix: name.slice(0, 2) }, NOW.toISOString()),
    account,
  });

  it('pauses the rig and every rig naming the same account; a rig without one is its own', () => {
    const rigs = [rig('gamma', 'team'), rig('alpha', 'team'), rig('beta', null), rig('delta', 'other')];
    expect(rigsSharingAccount(rigs[1] as Rig, rigs).map((r) => r.name)).toEqual(['alpha', 'gamma']);
    expect(rigsSharingAccount(rigs[2] as Rig, rigs).map((r) => r.name)).toEqual(['beta']);
  });

  it('parses an account name, none to clear it, and refuses anything else with a hint', () => {
    expect(parseAccount('team-claude')).toBe('team-claude');
    expect(parseAccount('none')).toBeNull();
    expect(() => parseAccount('two words')).toThrow(/use letters, digits/);
    expect(() => parseAccount('')).toThrow(/use letters/);
  });

  it('retires a notice once no rig of its account holds a pause', () => {
    const paused: UsageLimit = {
      until: iso(60),
      reason: '',
      backoff_s: 0,
      by: 'alpha/Toast',
      at: iso(0),
      lifted_at: null,
    };
    const notice = { labels: ['kind:usage-limit', 'agent:alpha/Toast'] } as unknown as Bead;
    const alpha = { ...rig('alpha', 'team'), usage_limit: liftedLimit(paused, at(61)) };
    const gamma = { ...rig('gamma', 'team'), usage_limit: paused };
    expect(noticeCleared(notice, [alpha, gamma])).toBeNull();
    expect(noticeCleared(notice, [alpha, { ...gamma, usage_limit: null }])).toMatch(
      /pause lifted; dispatch to alpha, gamma resumed/,
    );
    expect(noticeCleared(notice, [gamma])).toMatch(/rig alpha no longer exists/);
  });
});

describe('limit requeues and the witness', () => {
  it('counts a requeue on the bead (a new incarnation), never as a respawn', () => {
    const bead = { labels: ['respawns:2', 'limits:1'] };
    expect([limitRequeues(bead), incarnationOf(bead)]).toEqual([1, 3]);
    expect(limitRequeuePatch(bead)).toEqual({ add_labels: ['limits:2'], remove_labels: ['limits:1'] });
    expect(limitRequeuePatch({ labels: [] })).toEqual({ add_labels: ['limits:1'], remove_labels: [] });
  });

  const dead = (over: Partial<NonNullable<Signals['process']>> = {}): Signals => ({
    now: NOW,
    hookedBead: 'al-1',
    spawnedAt: iso(-5),
    heartbeatAt: null,
    respawns: 3,
    process: {
      bead: 'al-1',
      alive: false,
      exit_code: 1,
      output_at: iso(-2),
      reported_at: iso(-1),
      incarnation: 3,
      limit: { reset_at: iso(3600), message: "You've hit your limit" },
      ...over,
    },
  });

  it('judges a process that exited on a limit usage-limited — never a zombie or crash loop, even in its grace', () => {
    const a = assess(dead(), DEFAULT_THRESHOLDS);
    expect(a).toMatchObject({ verdict: 'usage-limited', actionable: true, limit: { reset_at: iso(3600) } });
    expect(a.why).toMatch(/usage limit until .*You've hit your limit/);
    expect(decideAction(a, { nudgedAt: null }, NOW, 30_000)).toBe('requeue-limited');
    // Without the limit, the same process at the respawn limit is a crash loop.
    const { limit: _limit, ...crashed } = dead().process as NonNullable<Signals['process']>;
    expect(assess({ ...dead(), process: crashed }, DEFAULT_THRESHOLDS).verdict).toBe('crash-loop');
  });

  it('never reads the limited process’s report as the next start of the bead, even under the same name', () => {
    const requeued = { id: 'al-1', status: 'hooked', assignee: 'alpha/Toast', updated_at: iso(-1) } as const;
    const signals = signalsFor({
      now: NOW,
      address: 'alpha/Toast',
      slotTakenAt: iso(-1),
      bead: { ...requeued, labels: ['limits:1'] },
      process: { ...(dead({ incarnation: 0 }).process as NonNullable<Signals['process']>) },
      heartbeatAt: null,
    });
    expect(signals.incarnation).toBe(1);
    const a = assess(signals, DEFAULT_THRESHOLDS);
    expect(a.verdict).toBe('healthy'); // a fresh start in its grace, not the old limited exit
    expect(a.actionable).toBe(false);
  });
});
