import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actor.ts';
import { useCommands } from './command-harness.ts';

type Bead = {
  id: string;
  title: string;
  status: string;
  labels: string[];
  priority: number;
  close_reason: string;
};

/** gt escalate and gt escalation list/ack/resolve (stored escalations; routing is issue 5). */
describe('escalations', () => {
  const h = useCommands((h) => h.ok('gt rig add', { name: 'alpha', prefix: 'al' }));
  const { run, ok } = h;
  const toast: Actor = { kind: 'agent', id: 'alpha/Toast' };

  it('an agent escalates; people list, acknowledge and resolve; escalations are never ready work', async () => {
    const work = (await ok<Bead>('bd create', { title: 'hard thing', rig: 'alpha' })).id;
    const reply = await run(
      'gt escalate',
      { summary: 'tests fail on CI only', severity: 'high', message: 'logs attached', bead: work },
      toast,
    );
    expect(reply).toMatchObject({
      ok: true,
      data: {
        issue_type: 'escalation',
        priority: 1,
        labels: [
          'gt:escalation',
          'severity:high',
          'kind:help',
          `subject:help:${work}`,
          'agent:alpha/Toast',
          `bead:${work}`,
        ],
        kind: 'help',
        agent: 'alpha/Toast',
        bead_id: work,
        created_by: 'alpha/Toast',
      },
    });
    const id = (reply as { data: Bead }).data.id;
    expect(id).toMatch(/^hq-/);
    expect(await h.ledger.dependenciesOf(id)).toMatchObject([{ depends_on_id: work, type: 'related' }]);
    expect((await ok<Bead[]>('bd ready')).map((b) => b.id)).toEqual([work]);
    expect((await ok<Bead[]>('gt escalation list')).map((b) => b.id)).toEqual([id]);
    expect((await ok<Bead>('gt escalation ack', { id })).labels).toContain('acked');
    expect(await ok('gt escalation resolve', { id, action: 'reran with more memory' })).toMatchObject({
      status: 'closed',
      close_reason: 'Resolved: reran with more memory by mayor',
    });
    expect(await ok('gt escalation list')).toEqual([]);
    expect((await ok<Bead[]>('gt escalation list', { all: true })).map((b) => b.id)).toEqual([id]);
  });

  it('refuses a missing severity, an unknown bead, and non-escalations', async () => {
    expect(await run('gt escalate', { summary: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_severity' },
    });
    expect(await run('gt escalate', { summary: 'x', severity: 'low', bead: 'al-zzzz' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    const work = (await ok<Bead>('bd create', { title: 'w', rig: 'alpha' })).id;
    expect(await run('gt escalation resolve', { id: work })).toMatchObject({
      ok: false,
      error: { code: 'not_an_escalation' },
    });
    expect(await ok('gt escalation list', { all: true })).toEqual([]);
  });
});
