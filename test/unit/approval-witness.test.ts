import { describe, expect, it } from 'vitest';
import type { ApprovalAnswer } from '../../src/commands/gt/approval-record.ts';
import type { Bead } from '../../src/domain/bead.ts';
import type { Signals } from '../../src/domain/witness.ts';
import type { StallMemory } from '../../src/domain/witness-policy.ts';
import { witnessPass } from '../../src/services/witness.ts';
import { useCommands } from './command-harness.ts';

type Process = NonNullable<Signals['process']>;

/**
 * A polecat waiting for a person to answer its permission request is quiet — no output, no
 * heartbeat — and that is its own state, not a stall: the witness neither nudges nor escalates
 * it. Once answered (or past its deadline) the usual rules apply again; a request its agent
 * stopped waiting on is closed by the witness. Real SQLite ledger and command layer.
 */
describe('the witness and agents waiting on a person', () => {
  const h = useCommands((h) => h.ok('gt rig add', { name: 'alpha', prefix: 'al' }));
  const seen = new Map<string, Pick<Signals, 'process' | 'heartbeatAt'>>();
  const memory = new Map<string, StallMemory>();
  const pass = () =>
    witnessPass(
      {
        ledger: h.ledger,
        execute: (verb, args) =>
          h.registry.execute({ verb, args, actor: { kind: 'system', id: 'witness' }, source: 'cron' }),
        observe: (agent) => seen.get(agent) ?? { process: null, heartbeatAt: null },
        thresholds: { spawnGraceMs: 60_000, stallMs: 180_000, maxRespawns: 3 },
        escalateAfterMs: 30_000,
        memory,
      },
      h.now(),
    );
  const ago = (s: number) => new Date(h.now().getTime() - s * 1000).toISOString();
  const proc = (bead: string, over: Partial<Process> = {}): Process => ({
    bead,
    alive: true,
    exit_code: null,
    output_at: ago(400),
    reported_at: ago(1),
    started_at: ago(600),
    incarnation: 0,
    ...over,
  });
  async function waitingAgent(timeoutS: string) {
    const id = (await h.ok<Bead>('bd create', { title: 'deploy', rig: 'alpha' })).id;
    await h.ok('gt sling', { id });
    const agent = (await h.ok<Bead[]>('bd show', { ids: [id] }))[0]?.assignee as string;
    h.advance(10 * 60_000);
    const reply = await h.registry.execute({
      verb: 'gt approval request',
      args: { bead: id, tool: 'Bash', input: '{"command":"make deploy"}', 'timeout-s': timeoutS },
      actor: { kind: 'agent', id: agent },
      source: 'agent',
    });
    if (!reply.ok) throw new Error(reply.error.message);
    // Quiet for minutes: no output, no heartbeat — it waits for the answer.
    seen.set(agent, { process: proc(id), heartbeatAt: ago(400) });
    return { bead: id, agent, request: (reply.data as ApprovalAnswer).id as string };
  }

  it('leaves a polecat waiting for an answer alone, and treats it as usual once answered', async () => {
    seen.clear();
    memory.clear();
    const { bead, agent, request } = await waitingAgent('900');
    const waiting = await pass();
    expect(waiting.verdicts.stalled).toBe(1); // the signals say quiet…
    expect(waiting.actions).toEqual([]); // …but it is waiting: no nudge, no escalation
    expect(waiting.waiting).toEqual([`${agent}@${bead}`]);
    h.advance(120_000);
    expect((await pass()).actions).toEqual([]);
    expect(await h.ok('gt escalation list')).toEqual([]);

    await h.ok('gt approval deny', { id: request });
    const after = await pass();
    expect(after.waiting).toEqual([]);
    expect(after.actions.map((a) => a.action)).toEqual(['nudge']); // still quiet, now a stall
  });

  it('still respawns a waiting polecat whose process died', async () => {
    seen.clear();
    memory.clear();
    const { bead, agent } = await waitingAgent('900');
    seen.set(agent, { process: proc(bead, { alive: false, exit_code: 137 }), heartbeatAt: ago(400) });
    expect((await pass()).actions.map((a) => a.action)).toEqual(['respawn']);
  });

  it('closes a request nobody waits on any more: past its deadline and a grace', async () => {
    seen.clear();
    memory.clear();
    const { request } = await waitingAgent('30');
    h.advance(40_000); // past the deadline: its agent gives up and closes it itself…
    const first = await pass();
    expect(first.expired).toEqual([]);
    expect(first.waiting).toEqual([]);
    h.advance(60_000); // …and when it does not, the witness does
    expect((await pass()).expired).toEqual([request]);
    const [closed] = await h.ok<Bead[]>('bd show', { ids: [request] });
    expect(closed).toMatchObject({ status: 'closed', assignee: 'witness' });
    expect(closed?.close_reason).toMatch(/^Timed out: no answer from a person within 30 s/);
    expect((await pass()).expired).toEqual([]);
  });
});
