import { describe, expect, it } from 'vitest';
import type { Bead } from '../../src/domain/bead.ts';
import { cookPlan } from '../../src/domain/formula/cook-plan.ts';
import { expandFormula, parseFormula } from '../../src/domain/formula/index.ts';
import { isFormulaGate, isHumanGate } from '../../src/domain/human-gate.ts';
import {
  dueTimerGates,
  formatDuration,
  isTimerGate,
  timerElapsedReason,
  timerGateLabels,
  timerOpensAt,
} from '../../src/domain/timer-gate.ts';

const POURED = '2026-05-01T10:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(POURED) + minutes * 60_000);

const gate = (over: Partial<Bead> = {}): Bead => ({
  id: 'web-1.3',
  title: 'Wait 1h: Build',
  description: '',
  acceptance_criteria: '',
  status: 'open',
  priority: 2,
  issue_type: 'decision',
  assignee: null,
  labels: ['formula-step:build.timer', 'formula:x', ...timerGateLabels(3_600_000)],
  parent: 'web-1',
  rig: 'web',
  created_at: POURED,
  created_by: 'operator',
  updated_at: POURED,
  closed_at: null,
  close_reason: '',
  is_blocked: false,
  version: 1,
  ...over,
});

/** Formulas reference §4.1 and §8 scenario 22: a timer gate opens timeout after it was created. */
describe('timer gates (pure)', () => {
  it('scenario 22: timeout 1h — pending at +59 min, due at +61 min, the clock running from creation', () => {
    const g = gate();
    expect(timerOpensAt(g)?.toISOString()).toBe('2026-05-01T11:00:00.000Z');
    expect(dueTimerGates([g], at(59))).toEqual([]);
    expect(dueTimerGates([g], at(61))).toEqual([g]);
    // The step it follows finished late (+50 min, say): the clock still started at creation.
    const unblockedLate = gate({ updated_at: at(50).toISOString(), version: 4 });
    expect(dueTimerGates([unblockedLate], at(61))).toEqual([unblockedLate]);
    expect(timerElapsedReason(g)).toBe(`Timer elapsed (1h since ${POURED})`);
  });

  it('is not due while it still waits on its step, once closed or pinned, or when its timeout is unreadable', () => {
    const late = at(24 * 60);
    expect(dueTimerGates([gate({ is_blocked: true })], late)).toEqual([]);
    expect(dueTimerGates([gate({ status: 'closed' })], late)).toEqual([]);
    expect(dueTimerGates([gate({ status: 'pinned' })], late)).toEqual([]);
    const edited = gate({ labels: ['gate:timer', 'gate-timeout:soon'] });
    expect(timerOpensAt(edited)).toBeNull();
    expect(dueTimerGates([edited], late)).toEqual([]);
    expect(timerElapsedReason(edited)).toBe(`Timer elapsed (? since ${POURED})`);
  });

  it('a timer gate is never a human gate (gt gate approve refuses it); both are formula gates', () => {
    const timer = gate();
    expect(isTimerGate(timer)).toBe(true);
    expect(isHumanGate(timer)).toBe(false);
    expect(isHumanGate({ ...timer, labels: [...timer.labels, 'gate:human'] })).toBe(false);
    expect(isFormulaGate(timer)).toBe(true);
    const approval = gate({ labels: ['gate:human'] });
    expect([isTimerGate(approval), isHumanGate(approval), isFormulaGate(approval)]).toEqual([
      false,
      true,
      true,
    ]);
    expect(isTimerGate(gate({ issue_type: 'task' }))).toBe(false);
    expect(timerOpensAt(gate({ issue_type: 'task' }))).toBeNull();
  });

  it('keeps whole milliseconds, never rounding early, and writes durations as formulas do', () => {
    expect(timerGateLabels(1000.2)).toEqual(['gate:timer', 'gate-timeout:1001']);
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(86_400_000)).toBe('1d');
    expect(formatDuration(1500)).toBe('1s500ms');
    expect(formatDuration(0)).toBe('0s');
  });
});

const cook = (text: string) => {
  const { formula } = parseFormula(text, 'x.formula.toml');
  return cookPlan(expandFormula(formula, {}, { maxSteps: 100 }), { hash: 'h' });
};

describe('cooking a timer gate', () => {
  it('is the step plus a decision <step>.timer after it, which the step’s dependents wait on', () => {
    const plan = cook(
      [
        'formula = "x"',
        '[[steps]]\nid = "build"\ntitle = "Build"\ngate = { type = "timer", timeout = "1h30m" }',
        '[[steps]]\nid = "ship"\ntitle = "Ship"\nneeds = ["build"]',
        '[[steps]]\nid = "tell"\ntitle = "Tell"\nneeds = ["build", "ship"]',
      ].join('\n'),
    );
    expect(plan.beads.map((b) => [b.key, b.type])).toEqual([
      ['build', 'task'],
      ['build.timer', 'decision'],
      ['ship', 'task'],
      ['tell', 'task'],
    ]);
    const timer = plan.beads[1];
    expect(timer).toMatchObject({ parent: null, title: 'Wait 1h30m: Build' });
    expect(timer?.labels).toEqual([
      'formula-step:build.timer',
      'formula:x',
      'gate:timer',
      'gate-timeout:5400000',
    ]);
    expect(timer?.description).toMatch(/clock starts when this gate is created/);
    expect(plan.edges).toEqual([
      ['build.timer', 'build'],
      ['ship', 'build.timer'],
      ['tell', 'build.timer'],
      ['tell', 'ship'],
    ]);
  });

  it('on a child step: the gate is its sibling, under the same container', () => {
    const plan = cook(
      [
        'formula = "x"',
        '[[steps]]\nid = "fix"\ntitle = "Fix"',
        '  [[steps.children]]\n  id = "patch"\n  title = "Patch"\n  gate = { type = "timer", timeout = "24h" }',
        '[[steps]]\nid = "verify"\ntitle = "Verify"\nneeds = ["patch"]',
      ].join('\n'),
    );
    expect(plan.beads.map((b) => [b.key, b.parent])).toEqual([
      ['fix', null],
      ['patch', 'fix'],
      ['patch.timer', 'fix'],
      ['verify', null],
    ]);
    expect(plan.edges).toEqual([
      ['patch.timer', 'patch'],
      ['verify', 'patch.timer'],
    ]);
  });

  it('a human gate’s timeout stays informational: an approval, no clock', () => {
    const plan = cook(
      'formula = "x"\n[[steps]]\nid = "a"\ntitle = "A"\n[steps.gate]\ntype = "human"\ntimeout = "48h"\n',
    );
    const approval = plan.beads.find((b) => b.key === 'a.approval');
    expect(approval?.labels).toEqual(['formula-step:a.approval', 'formula:x', 'gate:human']);
    expect(plan.beads.some((b) => b.labels.includes('gate:timer'))).toBe(false);
  });
});
