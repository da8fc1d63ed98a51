import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FaultTown } from './support/fault-town.ts';
import { misbehavingScript } from './support/misbehaving-script.ts';
import { writePolecatScript } from './support/polecat-script.ts';
import { sleep } from './support/random.ts';
import { TEST_TIMEOUT_MS } from './support/scale.ts';
import { recordRow } from './support/tally.ts';

type Bead = { id: string; status: string; labels: string[] };
type Escalation = { id: string; kind: string; bead_id: string; status: string; proposed_actions: string[] };

const MAX_RESPAWNS = 2;

/**
 * Issue 8, fault 5: polecats that misbehave, in one convoy with well-behaved ones, under a fast
 * witness. The documented outcomes (reference/comms-supervision.md §4, src/domain/witness*.ts):
 *  - hangs → stalled: nudged, then a stuck-agent escalation proposing a reassignment; a person
 *    approves it, the hung process is stopped and another polecat finishes the bead,
 *  - crash-loops → zombie, respawned up to GT_MAX_RESPAWNS, then a crash-loop escalation (the
 *    polecat stopped, no further respawn); a person reassigns, the bead gets done,
 *  - exits without `gt done` → zombie → respawned once, the respawn finishes (no escalation),
 *  - calls `gt done` twice → the second is refused (exit 1, nothing on its hook) and changes
 *    nothing: the bead is closed once and never dispatched again.
 * Every bead ends closed by a polecat's `gt done`; no polecat is spawned beyond those outcomes.
 */
describe('misbehaving polecats: hang, crash loop, exit without gt done, gt done twice', () => {
  let ft: FaultTown;
  beforeAll(async () => {
    ft = await FaultTown.start({
      env: {
        GT_WITNESS_INTERVAL_S: '1',
        GT_SPAWN_GRACE_S: '4',
        // Twice the runner's 5 s liveness reports, and more: on a loaded 2-core machine a report
        // can come late, and a late report must not read as a stalled polecat (a spurious respawn).
        GT_HEARTBEAT_STALE_S: '11',
        GT_MAX_RESPAWNS: String(MAX_RESPAWNS),
      },
    });
    const script = writePolecatScript(ft.town.home, 'misbehaving.sh', misbehavingScript(1 + MAX_RESPAWNS));
    await ft.addRigs(1, 6, script);
    await ft.startRunners();
  }, 120_000);
  afterAll(() => ft?.destroy());

  it(
    'each misbehaviour ends in its documented outcome; nothing lost or duplicated',
    async () => {
      const faults = ['hang', 'crash', 'no-done', 'done-twice'] as const;
      const ids = new Map<string, string>();
      for (const f of [...faults, 'none-1', 'none-2']) {
        const labels = f.startsWith('none') ? [] : ['-l', `fault:${f}`];
        ids.set(
          f,
          (await ft.call<{ id: string }>('bd', ['create', `misbehaving ${f}`, '--rig', 'r0', ...labels])).id,
        );
      }
      const all = [...ids.values()];
      const { convoy_id: convoy } = await ft.call<{ convoy_id: string }>('gt', ['convoy', 'stage', ...all]);
      await ft.call('gt', ['convoy', 'launch', convoy, '--force']);

      // The person on call approves each escalation's "back to the queue" reassignment (the
      // feeder re-slings the bead to a free polecat). A named polecat proposed a moment ago may
      // be busy by the time of the click: that click is refused, and the person looks again.
      const decided = new Map<string, string>(); // bead → escalation kind
      const deadline = Date.now() + TEST_TIMEOUT_MS - 30_000;
      while ((await ft.convoyStatus(convoy)).status !== 'closed') {
        if (Date.now() > deadline) throw new Error(`convoy did not land\n${ft.logs()}`);
        for (const e of await ft.call<Escalation[]>('gt', ['escalation', 'list'])) {
          if (e.status !== 'open' || !e.proposed_actions.includes('reassign:queue') || decided.has(e.bead_id))
            continue;
          await ft.call('gt', ['escalation', 'resolve', e.id, '--action', 'reassign:queue']);
          decided.set(e.bead_id, e.kind);
        }
        await sleep(500);
      }

      const audit = await ft.audit(all);
      const spawns = ft.spawnCounts();
      const beads = new Map((await ft.call<Bead[]>('bd', ['show', ...all])).map((b) => [b.id, b]));
      const escalated = Object.fromEntries(faults.map((f) => [f, decided.get(ids.get(f) as string) ?? null]));
      // Polecats each bead must have had: the original, plus respawns, plus one after a reassignment.
      const expected: Record<string, number> = {
        hang: 2,
        crash: 1 + MAX_RESPAWNS + 1,
        'no-done': 2,
        'done-twice': 1,
      };
      const twice = [...ids]
        .filter(([f, id]) => (spawns.get(id) ?? 0) > (expected[f] ?? 1))
        .map(([, id]) => id);
      const short = [...ids].filter(([f, id]) => (spawns.get(id) ?? 0) < (expected[f] ?? 1)).map(([f]) => f);
      const logs = ft.polecatLogs();
      recordRow(inject('faultSummaryDir'), {
        scenario: '5 misbehaving polecats',
        beads: all.length,
        lost: audit.lost.length,
        dispatchedTwice: twice.length,
        mailLost: audit.mailLost.length,
        recoveries: decided.size + audit.respawns,
        note: `hang→${escalated.hang}, crash→${escalated.crash} after ${MAX_RESPAWNS} respawns, no-done→respawned (${escalated['no-done'] ?? 'no escalation'}), done-twice→${/second gt done: exit 1/.test(logs) ? 'second refused (exit 1)' : 'second NOT refused'}`,
      });
      expect({ lost: audit.lost, twice, short, mailLost: audit.mailLost }).toEqual({
        lost: [],
        twice: [],
        short: [],
        mailLost: [],
      });
      expect(escalated).toEqual({
        hang: 'stuck-agent',
        crash: 'crash-loop',
        'no-done': null,
        'done-twice': null,
      });
      expect(beads.get(ids.get('no-done') as string)?.labels).toContain('respawns:1');
      expect(logs).toMatch(/second gt done: exit 1/);
      expect(ft.runners[0]?.output).toMatch(new RegExp(`stopping \\S+ on ${ids.get('hang')} \\(ordered\\)`));
    },
    TEST_TIMEOUT_MS,
  );
});
