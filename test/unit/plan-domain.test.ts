import { describe, expect, it } from 'vitest';
import { principalOf } from '../../src/domain/authorization.ts';
import { formatMayorConfig, mayorCommand, parseMayorConfig } from '../../src/domain/mayor-config.ts';
import { renderMayorPrompt } from '../../src/domain/mayor-prompt.ts';
import {
  convoyChange,
  failedReason,
  isPlan,
  launchedReason,
  newPlanLabels,
  parseGoal,
  planFacts,
  roundChange,
  stateChange,
} from '../../src/domain/plan.ts';
import { planText, planView } from '../../src/domain/plan-view.ts';
import { EMPTY_POLICY } from '../../src/domain/policy.ts';
import { beadFixture } from '../support/bead-fixtures.ts';

const apply = (labels: string[], change: { add_labels: string[]; remove_labels: string[] }) => [
  ...labels.filter((l) => !change.remove_labels.includes(l)),
  ...change.add_labels.filter((l) => !labels.includes(l)),
];

describe('plans (domain)', () => {
  it('reads a plan’s state, rigs, formula, convoy and round from its labels', () => {
    let labels = newPlanLabels(['web', 'api'], 'feature');
    const plan = (over = {}) =>
      beadFixture({
        issue_type: 'decision',
        labels,
        description: 'add search',
        created_by: 'alice',
        ...over,
      });
    expect(isPlan(plan())).toBe(true);
    expect(isPlan(beadFixture({ issue_type: 'task', labels }))).toBe(false);
    expect(planFacts(plan())).toMatchObject({
      state: 'queued',
      rigs: ['web', 'api'],
      formula: 'feature',
      round: 0,
    });
    labels = apply(labels, roundChange(labels, 1, '2026-12-05T10:00:00.000Z'));
    labels = apply(labels, roundChange(labels, 2, '2026-12-05T11:00:00.000Z'));
    expect(planFacts(plan())).toMatchObject({
      state: 'planning',
      round: 2,
      since: '2026-12-05T11:00:00.000Z',
    });
    expect(labels.filter((l) => l.startsWith('plan-round:') || l.startsWith('plan-since:'))).toHaveLength(2);
    labels = apply(labels, stateChange(labels, 'ready'));
    labels = apply(labels, convoyChange(labels, 'hq-cv-1'));
    labels = apply(labels, convoyChange(labels, 'hq-cv-2'));
    expect(planFacts(plan())).toMatchObject({ state: 'ready', convoy: 'hq-cv-2', requester: 'alice' });
    expect(labels.filter((l) => l.startsWith('plan-state:'))).toEqual(['plan-state:ready']);
    const closed = (reason: string) => planFacts(plan({ status: 'closed', close_reason: reason })).state;
    expect(closed(launchedReason('bob', 'hq-cv-2'))).toBe('launched');
    expect(closed('Discarded by bob: no')).toBe('discarded');
    expect(closed(failedReason('the Mayor gave up'))).toBe('failed');
  });

  it('refuses an empty or over-long goal, saying what to do', () => {
    expect(parseGoal('  add search  ')).toBe('add search');
    expect(() => parseGoal(' \n ')).toThrow(/give the goal in words/);
    expect(() => parseGoal('x'.repeat(2001))).toThrow(/2001 characters, over 2000: use at most 2000/);
    expect(parseGoal('x'.repeat(2000))).toHaveLength(2000);
  });

  it('keeps the Mayor’s settings on its agent bead and builds its command line', () => {
    const config = { runtime: 'claude', command: null, env: ['ANTHROPIC_API_KEY'], timeoutS: 900 };
    const back = parseMayorConfig({ description: formatMayorConfig(config) });
    expect(back).toEqual(config);
    expect(mayorCommand(back)).toMatch(
      /^claude -p .*--permission-mode dontAsk --allowedTools "Read,Grep,Glob,Bash\(gt:\*\),Bash\(bd:\*\)"/,
    );
    expect(mayorCommand({ ...config, runtime: null, command: 'my-agent "$GT_PROMPT_FILE"' })).toBe(
      'my-agent "$GT_PROMPT_FILE"',
    );
    expect(mayorCommand(null)).toBeNull();
    expect(mayorCommand({ ...config, runtime: null })).toBeNull();
  });

  it('holds the built-in planner role unless the policy file names the Mayor', () => {
    const mayor = principalOf({ kind: 'agent', id: 'mayor/' }, EMPTY_POLICY);
    expect(mayor).toMatchObject({
      kind: 'agent',
      roles: [{ permissions: ['read', 'bead:write', 'convoy:create'] }],
    });
    const named = principalOf({ kind: 'agent', id: 'mayor/' }, { ...EMPTY_POLICY, agents: { 'mayor/': [] } });
    expect(named).toMatchObject({ roles: [] });
    expect(principalOf({ kind: 'agent', id: 'web/Toast' }, EMPTY_POLICY)).toMatchObject({ roles: [] });
  });

  it('puts the round’s facts in the prompt once, never expanding what people wrote', () => {
    const text = renderMayorPrompt('Goal: {{goal}}\n{{revision}}\n{{rigs}}\n{{formulas}}\n{{unknown}}', {
      plan: 'hq-1',
      round: 2,
      requester: 'alice',
      goal: 'add {{rigs}} search',
      revision: { text: 'also {{plan}} docs', convoy: 'hq-cv-1' },
      rigs: [
        {
          name: 'web',
          prefix: 'web',
          repo: '/r/web',
          merge: 'mr',
          parked: true,
          conventions: ['/r/web/AGENTS.md'],
        },
      ],
      formulas: [{ name: 'feature', description: 'Deliver', vars: ['feature'] }],
      formula: null,
    });
    expect(text).toContain('Goal: add {{rigs}} search');
    expect(text).toContain('also {{plan}} docs');
    expect(text).toContain('gt convoy stage hq-cv-1');
    expect(text).toMatch(/\*\*web\*\* \(bead prefix `web`\) — parked/);
    expect(text).toContain('conventions: /r/web/AGENTS.md');
    expect(text).toContain('`feature`: Deliver (vars: feature)');
    expect(text).toContain('{{unknown}}');
  });

  it('views a plan: waves per rig, what each bead needs, warnings, what to do next', () => {
    const plan = beadFixture({
      id: 'hq-1',
      issue_type: 'decision',
      labels: newPlanLabels([], null),
      version: 4,
    });
    const facts = { ...planFacts(plan), state: 'ready' as const, goal: 'add search' };
    const beads = new Map([
      ['web-1', { id: 'web-1', title: 'build', rig: 'web' }],
      ['api-1', { id: 'api-1', title: 'endpoint', rig: 'api' }],
      ['web-2', { id: 'web-2', title: 'test', rig: 'web' }],
    ]);
    const v = planView({
      plan,
      facts,
      convoy: { id: 'hq-cv-1', title: 'Search', status: 'staged_warnings', version: 7 },
      stage: {
        waves: [
          { wave: 1, issues: ['web-1', 'api-1'] },
          { wave: 2, issues: ['web-2'] },
        ],
        gated: [],
        warnings: [{ category: 'cross-rig', bead_ids: ['web-2'], message: 'web-2 waits on api' }],
      },
      beads,
      blocking: [
        ['web-2', 'web-1'],
        ['web-2', 'api-1'],
      ],
      note: null,
    });
    expect(v.per_rig).toEqual({ web: 2, api: 1 });
    expect(v.waves[1]?.beads[0]?.needs).toEqual(['web-1', 'api-1']);
    expect(v.edges).toBe(2);
    expect(v.convoy?.version).toBe(7);
    const text = planText(v);
    expect(text).toContain('web-2 test (web) ← web-1, api-1');
    expect(text).toContain('⚠ [cross-rig] web-2 waits on api');
    expect(text).toContain('Next: gt plan launch hq-cv-1');
  });
});
