import { describe, expect, it } from 'vitest';
import type { Bead } from '../../src/domain/bead.ts';
import { parseBeadsJsonl } from '../../src/domain/beads-jsonl.ts';
import { legacyRefusal } from '../../src/domain/beads-jsonl-edges.ts';
import { exportLine } from '../../src/domain/beads-jsonl-export.ts';
import { DomainError } from '../../src/domain/errors.ts';

/** beads' JSONL (beads.md §1.2, §3.2, §6.1) parsed and mapped onto our model, and written back. */

const T0 = '2026-01-02T03:04:05.123456789Z';
const line = (o: Record<string, unknown>) => JSON.stringify({ title: 'x', created_at: T0, ...o });
const edge = (type: string, to: string, extra: Record<string, unknown> = {}) => ({
  issue_id: 'gt-a1',
  depends_on_id: to,
  type,
  created_at: '2026-01-03T00:00:00Z',
  created_by: 'bob',
  ...extra,
});

function refusalOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('parseBeadsJsonl', () => {
  it('maps every field of an issue: text, status, priority, type, assignee, labels, times, comments', () => {
    const { issues, warnings } = parseBeadsJsonl(
      line({
        id: 'gt-a1',
        title: ' Fix login ',
        description: 'Body',
        design: 'Use a cache',
        notes: 'Seen on prod',
        acceptance_criteria: 'It logs in',
        status: 'in_progress',
        priority: 'P1',
        issue_type: 'bug',
        assignee: 'gastown/Toast',
        labels: ['backend', 'needs review', 'backend'],
        created_by: 'alice',
        updated_at: '2026-01-05T10:00:00+02:00',
        comments: [
          { id: 7, issue_id: 'gt-a1', author: 'bob', text: 'on it', created_at: '2026-01-04T00:00:00Z' },
        ],
      }),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      line: 1,
      id: 'gt-a1',
      title: 'Fix login',
      description: 'Body\n\n## Design\n\nUse a cache\n\n## Notes\n\nSeen on prod',
      acceptance_criteria: 'It logs in',
      status: 'in_progress',
      priority: 1,
      issue_type: 'bug',
      assignee: 'gastown/Toast',
      labels: ['backend', 'needs-review'],
      created_at: '2026-01-02T03:04:05.123Z',
      created_by: 'alice',
      updated_at: '2026-01-05T08:00:00.000Z',
      closed_at: null,
      comments: [{ author: 'bob', text: 'on it', created_at: '2026-01-04T00:00:00.000Z' }],
    });
    expect(warnings).toEqual([expect.stringContaining('label "needs review" imported as needs-review')]);
  });

  it('keeps what we lack in labels: a type, a status, an assignee address; tombstone is closed', () => {
    const { issues, warnings } = parseBeadsJsonl(
      [
        line({ id: 'gt-m1', issue_type: 'molecule' }),
        line({ id: 'gt-m2', status: 'review', assignee: 'gastown/polecats/Toast' }),
        line({ id: 'gt-m3', status: 'tombstone', issue_type: 'convoy', closed_at: '2026-02-01T00:00:00Z' }),
        line({ id: 'hq-cv-m4', issue_type: 'convoy', status: 'closed', close_reason: 'done' }),
      ].join('\n'),
    );
    expect(issues.map((i) => [i.issue_type, i.status, i.assignee, i.labels])).toEqual([
      ['task', 'open', null, ['beads-type:molecule']],
      ['task', 'open', null, ['beads-status:review', 'beads-assignee:gastown/polecats/Toast']],
      ['task', 'closed', null, ['beads-type:convoy']],
      ['convoy', 'closed', null, []],
    ]);
    expect(issues[2]?.closed_at).toBe('2026-02-01T00:00:00.000Z');
    // Closed without closed_at: its last update is when it closed.
    expect(issues[3]).toMatchObject({ closed_at: issues[3]?.updated_at, close_reason: 'done' });
    expect(warnings.join('\n')).toMatch(/type molecule is not one of ours: imported as task/);
    expect(warnings.join('\n')).toMatch(/status review is not one of ours/);
    expect(warnings.join('\n')).toMatch(/assignee gastown\/polecats\/Toast is not an address we accept/);
  });

  it('maps every dependency type: ours kept, relates-to is related, others related with a warning', () => {
    const deps = [
      edge('blocks', 'gt-b1'),
      edge('conditional-blocks', 'gt-b2'),
      edge('waits-for', 'gt-b3', { metadata: '{"gate":"any-children","spawner_id":"gt-b3"}' }),
      edge('waits-for', 'gt-b4', { metadata: { gate: 'all-children' } }),
      edge('parent-child', 'gt-b5'),
      edge('related', 'gt-b6'),
      edge('relates-to', 'gt-b7'),
      edge('discovered-from', 'gt-b8'),
      edge('tracks', 'gt-b9'),
      edge('duplicates', 'gt-c1'),
      edge('merge-blocks', 'gt-c2'),
      edge('blocks', 'external:proj:auth'),
      edge('blocks', 'gt-a1'),
    ];
    const { issues, warnings } = parseBeadsJsonl(line({ id: 'gt-a1', dependencies: deps }));
    expect(issues[0]?.edges.map((e) => [e.depends_on_id, e.type, e.gate ?? '', e.file_type ?? ''])).toEqual([
      ['gt-b1', 'blocks', '', ''],
      ['gt-b2', 'conditional-blocks', '', ''],
      ['gt-b3', 'waits-for', 'any-children', ''],
      ['gt-b4', 'waits-for', '', ''],
      ['gt-b5', 'parent-child', '', ''],
      ['gt-b6', 'related', '', ''],
      ['gt-b7', 'related', '', 'relates-to'],
      ['gt-b8', 'discovered-from', '', ''],
      ['gt-b9', 'tracks', '', ''],
      ['gt-c1', 'related', '', 'duplicates'],
      ['gt-c2', 'related', '', 'merge-blocks'],
    ]);
    expect(issues[0]?.edges[0]).toMatchObject({ created_at: '2026-01-03T00:00:00.000Z', created_by: 'bob' });
    const text = warnings.join('\n');
    expect(text).toMatch(/duplicates edge to gt-c1 imported as related/);
    expect(text).toMatch(/merge-blocks edge to gt-c2 imported as related/);
    expect(text).toMatch(/blocks edge to external:proj:auth not imported/);
    expect(text).toMatch(/edge to itself not imported/);
    expect(text).not.toMatch(/relates-to/);
  });

  it('refuses bad lines with their numbers, all of them, and nothing else is returned', () => {
    const file = [
      line({ id: 'gt-ok1' }),
      '{not json',
      line({ id: 'gt-ok2' }),
      '',
      line({ id: 'gt-bad', title: '' }),
      line({ id: 'gt-ok1' }),
      line({ id: 'gt-p', priority: 9 }),
      line({ id: 'gt-t', created_at: 'yesterday' }),
      line({ id: 'gt-d', dependencies: [{ issue_id: 'gt-other', depends_on_id: 'gt-ok1', created_at: T0 }] }),
      '[1,2]',
    ].join('\n');
    const err = refusalOf(() => parseBeadsJsonl(file));
    expect(err.code).toBe('invalid_jsonl');
    expect(err.message).toMatch(/nothing was imported/);
    const lines = (err.details.errors as string[]).map((e) => e.split(':')[0]);
    expect(lines).toEqual(['line 2', 'line 5', 'line 6', 'line 7', 'line 8', 'line 9', 'line 10']);
    expect(err.message).toMatch(/line 6: gt-ok1 is already on line 1/);
    expect(err.message).toMatch(/line 7: priority 9 is out of range; use 0/);
    expect(refusalOf(() => parseBeadsJsonl('\n\n')).message).toMatch(/holds no issues; give/);
  });
});

describe('legacyRefusal', () => {
  it('names the edges older beads stored and our rules refuse', () => {
    const task = { issue_type: 'task', parent: null };
    const epic = { issue_type: 'epic' };
    expect(legacyRefusal(task, epic, { type: 'blocks', depends_on_id: 'e' })).toMatch(/epic and a task/);
    expect(legacyRefusal(task, { issue_type: 'bug' }, { type: 'blocks', depends_on_id: 'b' })).toBeNull();
    expect(legacyRefusal(task, epic, { type: 'parent-child', depends_on_id: 'e' })).toBeNull();
    expect(
      legacyRefusal({ issue_type: 'task', parent: 'p1' }, epic, {
        type: 'parent-child',
        depends_on_id: 'p2',
      }),
    ).toMatch(/second parent \(the first is p1\)/);
    expect(legacyRefusal(task, epic, { type: 'tracks', depends_on_id: 'e' })).toMatch(/not a convoy/);
  });
});

describe('exportLine', () => {
  const bead: Bead = {
    id: 'gt-a1',
    title: 'T',
    description: '',
    acceptance_criteria: 'done',
    status: 'open',
    priority: 0,
    issue_type: 'task',
    assignee: null,
    labels: [
      'zeta',
      'beads-type:molecule',
      'alpha',
      'beads-status:review',
      'beads-assignee:gastown/polecats/T',
    ],
    parent: null,
    rig: 'alpha',
    created_at: '2026-01-01T00:00:00.000Z',
    created_by: 'alice',
    updated_at: '2026-01-02T00:00:00.000Z',
    closed_at: null,
    close_reason: '',
    is_blocked: false,
    version: 3,
  };

  it('gives back what an import kept in labels, sorts everything, leaves empty fields out', () => {
    const deps = [
      {
        issue_id: 'gt-a1',
        depends_on_id: 'gt-z',
        type: 'blocks',
        created_at: '2026-01-01T02:00:00.000Z',
        created_by: 'bob',
      },
      {
        issue_id: 'gt-a1',
        depends_on_id: 'gt-b',
        type: 'waits-for',
        created_at: '2026-01-01T01:00:00.000Z',
        created_by: '',
        gate: 'any-children',
      },
    ] as const;
    const comments = [
      { author: 'b', text: 'second', created_at: '2026-01-03T00:00:00.000Z' },
      { author: 'a', text: 'first', created_at: '2026-01-02T00:00:00.000Z' },
    ];
    const out = exportLine(bead, [...deps], comments);
    expect(out).toBe(exportLine(bead, [...deps].reverse(), [...comments].reverse()));
    expect(JSON.parse(out)).toEqual({
      id: 'gt-a1',
      title: 'T',
      acceptance_criteria: 'done',
      status: 'review',
      priority: 0,
      issue_type: 'molecule',
      assignee: 'gastown/polecats/T',
      created_at: '2026-01-01T00:00:00.000Z',
      created_by: 'alice',
      updated_at: '2026-01-02T00:00:00.000Z',
      labels: ['alpha', 'zeta'],
      dependencies: [
        {
          issue_id: 'gt-a1',
          depends_on_id: 'gt-b',
          type: 'waits-for',
          created_at: '2026-01-01T01:00:00.000Z',
          metadata: { gate: 'any-children' },
        },
        {
          issue_id: 'gt-a1',
          depends_on_id: 'gt-z',
          type: 'blocks',
          created_at: '2026-01-01T02:00:00.000Z',
          created_by: 'bob',
        },
      ],
      comments: [
        { issue_id: 'gt-a1', author: 'a', text: 'first', created_at: '2026-01-02T00:00:00.000Z' },
        { issue_id: 'gt-a1', author: 'b', text: 'second', created_at: '2026-01-03T00:00:00.000Z' },
      ],
    });
    // What it writes reads back to the same record.
    const [again] = parseBeadsJsonl(out).issues;
    expect(again).toMatchObject({ issue_type: 'task', status: 'open', assignee: null });
    expect(again?.labels).toEqual([
      'beads-type:molecule',
      'beads-status:review',
      'beads-assignee:gastown/polecats/T',
      'alpha',
      'zeta',
    ]);
  });
});
