import { describe, expect, it } from 'vitest';
import {
  clickCommand,
  encodeClick,
  FROZEN_FROM_CHAT,
  parseClick,
  type QueueClick,
} from '../../src/chat/cards/queue-buttons.ts';
import { duration, oneLine, queueCardModel, usualGateMs } from '../../src/chat/cards/queue-model.ts';
import { queueMessage } from '../../src/chat/discord/queue-message.ts';
import { lineOf } from '../../src/chat/queue-cards.ts';
import { queueBlocks, queueText } from '../../src/chat/slack/queue-card.ts';
import { queueRows } from '../../src/commands/gt/mq/view.ts';
import { DEFAULT_MAX_WAIT_MS } from '../../src/domain/merge-batch.ts';
import type { GateResult, MergeRequest } from '../../src/domain/merge-request.ts';
import { EVIL, EVIL_DISCORD, EVIL_SLACK, rawDiscordTokens, rawSlackTokens } from '../support/inert-check.ts';

const NOW = new Date('2026-12-02T12:00:00.000Z');
const ago = (s: number) => new Date(NOW.getTime() - s * 1000).toISOString();
const gate = (ms: number): GateResult => ({
  name: 'test',
  command: 'npm test',
  exit: 0,
  timed_out: false,
  duration_ms: ms,
  excerpt: '',
});

function mr(over: Partial<MergeRequest> & { id: string }): MergeRequest {
  return {
    rig: 'alpha',
    bead_id: null,
    polecat: null,
    branch: `polecat/${over.id}`,
    sha: 'a'.repeat(40),
    target: 'main',
    priority: 2,
    status: 'queued',
    attempts: 0,
    gates: [],
    reason: '',
    merge_commit: null,
    submitted_by: 'alpha/Toast',
    created_at: ago(600),
    updated_at: ago(600),
    merged_at: null,
    verified_tree: null,
    override: null,
    version: 1,
    ...over,
  };
}

const landed = (i: number, gateMs: number[], over: Partial<MergeRequest> = {}) =>
  mr({
    id: `al-mr-l${i}`,
    status: 'merged',
    merge_commit: `${i}`.repeat(40).slice(0, 40),
    merged_at: ago(1000 - i),
    gates: gateMs.map(gate),
    ...over,
  });

const lanes = (convoyOf = new Map<string, string>()) => ({
  now: NOW,
  maxWaitMs: DEFAULT_MAX_WAIT_MS,
  convoyOf,
});

describe('the merge-queue card model', () => {
  it('orders the queue exactly as gt mq list does (priorities, ageing, convoys taking turns)', () => {
    const open = [
      mr({ id: 'al-mr-a', created_at: ago(300) }),
      mr({ id: 'al-mr-b', created_at: ago(200) }),
      mr({ id: 'al-mr-c', created_at: ago(100) }),
      mr({ id: 'al-mr-p0', priority: 0, created_at: ago(50) }),
      mr({ id: 'al-mr-old', priority: 4, created_at: ago(3 * 3600) }),
      mr({ id: 'al-mr-v', status: 'verifying' }),
    ];
    const convoyOf = new Map([
      ['al-mr-a', 'hq-cv1'],
      ['al-mr-b', 'hq-cv1'],
      ['al-mr-c', 'hq-cv2'],
    ]);
    const m = queueCardModel({ rig: 'alpha', open, merged: [], frozen: null, lanes: lanes(convoyOf) });
    const listed = queueRows(open, lanes(convoyOf), new Map())
      .filter((r) => r.position !== null)
      .map((r) => [r.position, r.id]);
    expect(m.queue.map((q) => [q.position, q.id])).toEqual(listed);
    expect(m.queue.map((q) => q.id)).toEqual(['al-mr-p0', 'al-mr-old', 'al-mr-a', 'al-mr-c', 'al-mr-b']);
    expect(m.summary).toBe('1 verifying · 5 queued');
  });

  it('shows what is verifying for how long against the median of recent landings', () => {
    const merged = [landed(1, [10_000, 5_000]), landed(2, [40_000]), landed(3, [30_000, 20_000])];
    const verifying = mr({ id: 'al-mr-v', status: 'verifying', updated_at: ago(72) });
    const m = queueCardModel({ rig: 'alpha', open: [verifying], merged, frozen: null, lanes: lanes() });
    expect(m.verifying).toEqual([
      {
        id: 'al-mr-v',
        branch: 'polecat/al-mr-v',
        bead: null,
        elapsed: '1m12s',
        usual: '40s',
        override: false,
        gate: null,
      },
    ]);
    expect(usualGateMs([...merged, landed(4, [100_000])])).toBe(45_000); // even count: the mean of the middle two
    // Landings that ran no gates (an override, a tree verified before) say nothing about gate time.
    expect(
      usualGateMs([landed(5, [1], { override: { by: 'x', reason: 'y', at: ago(1) } }), landed(6, [])]),
    ).toBe(null);
    const first = queueCardModel({
      rig: 'alpha',
      open: [verifying],
      merged: [],
      frozen: null,
      lanes: lanes(),
    });
    expect(first.verifying[0]?.usual).toBeNull();
  });

  it('names the gate running now, for the MRs it verifies, against that gate’s usual time', () => {
    const merged = [landed(1, [10_000]), landed(2, [30_000]), landed(3, [20_000])];
    const verifying = mr({ id: 'al-mr-v', status: 'verifying', updated_at: ago(90) });
    const gate = {
      rig: 'alpha',
      mrs: ['al-mr-v'],
      command: 'npm test',
      index: 2,
      of: 3,
      started_at: ago(42),
    };
    const m = queueCardModel({ rig: 'alpha', open: [verifying], merged, frozen: null, gate, lanes: lanes() });
    expect(m.verifying[0]?.gate).toEqual({ step: '2/3', command: 'npm test', elapsed: '42s', usual: '20s' });
    expect(queueText(m)).not.toContain('gate'); // the notification stays short
    expect(JSON.stringify(queueBlocks(m))).toContain('gate 2/3 `npm test` 42s (usually ~20s)');
    expect(JSON.stringify(queueMessage(m))).toContain('gate 2/3 `npm test` 42s (usually ~20s)');
    // Progress about another verification (an earlier batch) is not this MR's.
    const stale = queueCardModel({
      rig: 'alpha',
      open: [verifying],
      merged,
      frozen: null,
      gate: { ...gate, mrs: ['al-mr-old'] },
      lanes: lanes(),
    });
    expect(stale.verifying[0]?.gate).toBeNull();
  });

  it('lists failures newest first with one line of why and the buttons their state allows', () => {
    const open = [
      mr({
        id: 'al-mr-r',
        status: 'needs-rework',
        version: 4,
        updated_at: ago(30),
        reason: 'gate `npm test` exit 1\nFAIL a.test.ts\n',
      }),
      mr({
        id: 'al-mr-h',
        status: 'held',
        version: 7,
        updated_at: ago(10),
        reason: '\n  attempts exhausted  \nmore',
      }),
    ];
    const m = queueCardModel({ rig: 'alpha', open, merged: [], frozen: null, lanes: lanes() });
    expect(m.failures.map((f) => [f.id, f.reason])).toEqual([
      ['al-mr-h', 'attempts exhausted'],
      ['al-mr-r', 'gate `npm test` exit 1'],
    ]);
    const held = m.failures[0]?.buttons ?? [];
    expect(held.map((b) => [b.label, encodeClick(b.click), b.confirm !== null])).toEqual([
      ['Retry', 'mr:al-mr-h:7:retry', false],
      ['Send back for rework', 'mr:al-mr-h:7:rework', true],
      ['Reject', 'mr:al-mr-h:7:reject', true],
      ['Land anyway', 'mr:al-mr-h:7:land-anyway', true],
    ]);
    // Sent back already: a polecat has it; landing anyway is for held work only.
    expect(m.failures[1]?.buttons.map((b) => b.click.action)).toEqual(['retry', 'reject']);
    expect(oneLine('x'.repeat(500))).toHaveLength(200);
  });

  it('lists the last five landed, newest first, with short SHAs; Freeze or Thaw by the freeze', () => {
    const merged = Array.from({ length: 7 }, (_, i) => landed(i + 1, [1000]));
    const m = queueCardModel({ rig: 'alpha', open: [], merged, frozen: null, lanes: lanes() });
    expect(m.landed.map((l) => [l.id, l.sha])).toEqual(
      [7, 6, 5, 4, 3].map((i) => [`al-mr-l${i}`, `${i}`.repeat(8)]),
    );
    expect(m.summary).toBe('idle');
    expect(m.buttons.map((b) => encodeClick(b.click))).toEqual(['rig:alpha:freeze']);
    const frozen = { by: 'slack:U1', reason: 'release 2.0', at: ago(60) };
    const f = queueCardModel({ rig: 'alpha', open: [], merged, frozen, lanes: lanes() });
    expect(f.frozen).toEqual(frozen);
    expect(f.buttons.map((b) => encodeClick(b.click))).toEqual(['rig:alpha:thaw']);
  });

  it('formats durations as people read them', () => {
    expect([0, 45_000, 72_000, 3_599_000, 7_380_000].map(duration)).toEqual([
      '0s',
      '45s',
      '1m12s',
      '59m59s',
      '2h03m',
    ]);
  });
});

describe('merge-queue card buttons', () => {
  it('round-trips the clicks they carry and refuses anything else', () => {
    const clicks: QueueClick[] = [
      { kind: 'mr', id: 'al-mr-1x', version: 12, action: 'land-anyway' },
      { kind: 'rig', rig: 'alpha', action: 'freeze' },
    ];
    for (const c of clicks) expect(parseClick(encodeClick(c))).toEqual(c);
    for (const forged of [
      '',
      'mr:al-mr-1:x:retry',
      'mr:al-mr-1:1:merge',
      'rig:alpha:retry',
      'mr:a b:1:retry',
      'rig:alpha:freeze:1',
      'esc:al-1:1:ack',
    ])
      expect(parseClick(forged)).toBeNull();
  });

  it('maps each click onto its verb, carrying the version for the compare-and-swap', () => {
    const on = (action: 'retry' | 'rework' | 'reject' | 'land-anyway') =>
      clickCommand({ kind: 'mr', id: 'al-mr-1', version: 3, action });
    expect(on('retry')).toEqual({ verb: 'gt mq retry', args: { mr: 'al-mr-1', version: '3' } });
    expect(on('rework')).toEqual({ verb: 'gt mq rework', args: { mr: 'al-mr-1', version: '3' } });
    expect(on('reject').verb).toBe('gt mq reject');
    expect(on('reject').args.reason).toBeTruthy();
    expect(on('land-anyway')).toMatchObject({ verb: 'gt mq land-anyway', args: { version: '3' } });
    expect(clickCommand({ kind: 'rig', rig: 'alpha', action: 'freeze' })).toEqual({
      verb: 'gt mq freeze',
      args: { rig: 'alpha', reason: FROZEN_FROM_CHAT },
    });
    expect(clickCommand({ kind: 'rig', rig: 'alpha', action: 'thaw' })).toEqual({
      verb: 'gt mq thaw',
      args: { rig: 'alpha' },
    });
  });
});

describe('merge-queue card renderers', () => {
  const evilModel = () =>
    queueCardModel({
      rig: 'alpha',
      open: [
        mr({ id: 'al-mr-v', status: 'verifying', branch: `v ${EVIL}`, updated_at: ago(5) }),
        mr({ id: 'al-mr-q', branch: `q ${EVIL}` }),
        mr({ id: 'al-mr-h', status: 'held', branch: `h ${EVIL}`, reason: `r ${EVIL}` }),
      ],
      merged: [landed(1, [1000], { branch: `l ${EVIL}` })],
      frozen: { by: `by ${EVIL}`, reason: `why ${EVIL}`, at: ago(1) },
      lanes: lanes(),
    });

  it('makes every branch, reason and name inert on Slack, within Block Kit limits', () => {
    const blocks = queueBlocks(evilModel());
    const body = { blocks, text: queueText(evilModel()) };
    expect(rawSlackTokens([{ method: 'POST', path: '/api/chat.postMessage', body }])).toEqual([]);
    const json = JSON.stringify(blocks);
    for (const what of ['v', 'q', 'h', 'r', 'l', 'why', 'by'])
      expect(json).toContain(JSON.stringify(`${what} ${EVIL_SLACK}`).slice(1, -1));
    expect(blocks.length).toBeLessThanOrEqual(50);
    const actions = blocks.filter((b) => b.type === 'actions') as Array<{
      block_id: string;
      elements: Array<{ value: string }>;
    }>;
    expect(actions.map((a) => [a.block_id, a.elements.map((e) => e.value)])).toEqual([
      [
        'mq:al-mr-h',
        ['mr:al-mr-h:1:retry', 'mr:al-mr-h:1:rework', 'mr:al-mr-h:1:reject', 'mr:al-mr-h:1:land-anyway'],
      ],
      ['mq:rig:alpha', ['rig:alpha:thaw']],
    ]);
  });

  it('makes them inert on Discord, with buttons naming their MR and nothing allowed to ping', () => {
    const body = queueMessage(evilModel());
    expect(rawDiscordTokens([{ method: 'POST', path: '/api/v10/channels/1/messages', body }])).toEqual([]);
    expect(JSON.stringify(body)).toContain(JSON.stringify(`r ${EVIL_DISCORD}`).slice(1, -1));
    expect(body.allowed_mentions).toEqual({ parse: [] });
    const rows = body.components as Array<{ components: Array<{ label: string; custom_id: string }> }>;
    expect(rows.map((r) => r.components.map((c) => [c.label, c.custom_id]))).toEqual([
      [
        ['Retry al-mr-h', 'mq:act:mr:al-mr-h:1:retry'],
        ['Send back for rework al-mr-h', 'mq:ask:mr:al-mr-h:1:rework'],
        ['Reject al-mr-h', 'mq:ask:mr:al-mr-h:1:reject'],
        ['Land anyway al-mr-h', 'mq:ask:mr:al-mr-h:1:land-anyway'],
      ],
      [['Thaw', 'mq:act:rig:alpha:thaw']],
    ]);
  });

  it('keeps a queue of hundreds within both platforms’ limits', () => {
    const open = Array.from({ length: 300 }, (_, i) =>
      mr({ id: `al-mr-${i}`, status: i % 3 === 0 ? 'held' : 'queued', reason: 'x'.repeat(400) }),
    );
    const m = queueCardModel({ rig: 'alpha', open, merged: [], frozen: null, lanes: lanes() });
    const blocks = queueBlocks(m);
    expect(blocks.length).toBeLessThanOrEqual(50);
    for (const b of blocks) expect(JSON.stringify(b).length).toBeLessThan(3500);
    const body = queueMessage(m) as {
      components: unknown[];
      embeds: Array<{ fields: Array<{ value: string }> }>;
    };
    expect(body.components.length).toBeLessThanOrEqual(5);
    for (const f of body.embeds[0]?.fields ?? []) expect(f.value.length).toBeLessThanOrEqual(1024);
  });

  it('says in a convoy thread what landed where, or why it did not', () => {
    const done = landed(3, [1], { bead_id: 'al-x1', branch: 'polecat/Toast/al-x1' });
    expect(lineOf(done, 'merged', '')).toBe(
      '✓ al-mr-l3 polecat/Toast/al-x1 (al-x1) landed on main at 33333333',
    );
    expect(lineOf(done, 'needs-rework', 'gate failed\nlots')).toBe(
      '✗ al-mr-l3 polecat/Toast/al-x1 (al-x1) sent back for rework: gate failed',
    );
    expect(lineOf(done, 'held', '')).toMatch(/held: no reason given$/);
  });
});
