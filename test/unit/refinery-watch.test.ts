import { describe, expect, it } from 'vitest';
import type { Bead } from '../../src/domain/bead.ts';
import { MERGING_LABEL } from '../../src/domain/merge-request.ts';
import { FEEDER } from '../../src/services/convoy-feeder.ts';
import { watchRefineries } from '../../src/services/refinery/refinery-watch.ts';
import { strandedScan } from '../../src/services/stranded-scan.ts';
import { useCommands } from './command-harness.ts';

/**
 * Supervision of the merge queues (reference/refinery.md §8): a verification overdue beyond its
 * rig's gate timeouts is escalated once; a convoy whose work waits in a merge queue is moving,
 * not stranded. Over a real SQLite ledger and the command layer.
 */
describe('supervising merge queues', () => {
  const h = useCommands(async (h) => {
    await h.ok('gt rig add', {
      name: 'alpha',
      prefix: 'al',
      repo: '/srv/alpha',
      gate: ['make test'],
      'gate-timeout': '60s',
    });
  });
  const write = () => ({ actor: 'test', now: h.now() });
  const execute = (verb: string, args: Record<string, unknown>) =>
    h.registry.execute({ verb, args, actor: { kind: 'system', id: 'witness' }, source: 'cron' });

  /** A bead done by its polecat, its merge request being verified. */
  async function verifying() {
    const bead = await h.ok<Bead>('bd create', { title: 'w', rig: 'alpha' });
    await h.ok('gt sling', { id: bead.id });
    const agent = (await h.ok<Bead[]>('bd show', { ids: [bead.id] }))[0]?.assignee as string;
    await h.ledger.updateBead(bead.id, { status: 'blocked', add_labels: [MERGING_LABEL] }, write());
    await h.ledger.freeSlot('alpha', agent.split('/')[1] as string, bead.id);
    const { mr } = await h.ledger.submitMergeRequest(
      {
        id: 'al-mr-1',
        rig: 'alpha',
        bead_id: bead.id,
        polecat: agent,
        branch: 'b',
        sha: 'a'.repeat(40),
        target: 'main',
        priority: 2,
      },
      write(),
    );
    await h.ledger.updateMergeRequest(
      mr.id,
      { expect: { status: 'queued', version: mr.version }, set: { status: 'verifying' } },
      write(),
    );
    return bead.id;
  }

  it('escalates a verification overdue beyond the gates’ timeouts, once', async () => {
    await verifying();
    // One gate of 60 s may run twice (on the work, then on the bare target), plus 120 s of slack.
    const budget = 2 * 60_000 + 120_000;
    expect(await watchRefineries(h.ledger, execute, new Date(h.now().getTime() + budget))).toEqual([]);
    const late = new Date(h.now().getTime() + budget + 1_000);
    expect((await watchRefineries(h.ledger, execute, late)).map((m) => m.id)).toEqual(['al-mr-1']);
    await watchRefineries(h.ledger, execute, late);
    const escalations = await h.ok<Array<{ kind: string; title: string }>>('gt escalation list');
    expect(escalations).toHaveLength(1);
    expect(escalations[0]).toMatchObject({
      kind: 'merge-failed',
      title: expect.stringMatching(/verifying al-mr-1/),
    });
  });

  it('a convoy whose work waits in a merge queue is moving, not stranded', async () => {
    const bead = await verifying();
    await h.ok('gt convoy create', { words: ['merging', bead] });
    const scan = await strandedScan(
      {
        ledger: h.ledger,
        execute: (verb, args) => h.registry.execute({ verb, args, actor: FEEDER, source: 'cron' }),
        observe: () => ({ process: null, heartbeatAt: null }),
        staleMs: 180_000,
        spawnGraceMs: 60_000,
        maxRespawns: 3,
      },
      new Date(h.now().getTime() + 3_600_000),
    );
    expect(scan).toMatchObject({ dispatched: [], released: [], stuck: [] });
  });
});
