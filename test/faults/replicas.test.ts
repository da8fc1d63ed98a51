import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { NOT_TESTED } from '../support/mongo-targets.ts';
import { cronRuns, doubleTicks } from './support/cron-runs.ts';
import { FaultTown } from './support/fault-town.ts';
import { FERRET_MISSING } from './support/ferret.ts';
import { seededRandom, sleep } from './support/random.ts';
import { SCALE, TEST_TIMEOUT_MS } from './support/scale.ts';
import { recordRow } from './support/tally.ts';
import { Refused } from './support/test-session.ts';

type Bead = { id: string; status: string; assignee: string | null; close_reason: string | null };

/**
 * Issue 8, fault 4: two and three `gt up` replicas on one NATS and one MongoDB-protocol ledger.
 * A convoy runs through them while the cron leader is killed (-9) and restarted; then every
 * escalation gets a burst of concurrent, conflicting decisions (ack and resolve, as clicks on
 * several replicas would send). No bead is dispatched twice, each cron tick runs on one replica
 * only, and each escalation is decided exactly once.
 */
const targets = inject('mongoTargets');
if (targets.length === 0) {
  process.stderr.write(`\n${FERRET_MISSING}\n\n`);
  describe.skip(NOT_TESTED, () => it('skipped', () => {}));
}

for (const replicas of targets.length > 0 ? SCALE.replicaCounts : []) {
  const target = targets[0] as { name: string; uri: string };
  describe(`${replicas} replicas on ${target.name}: convoy, leader kill, concurrent decisions`, () => {
    let ft: FaultTown;
    beforeAll(async () => {
      ft = await FaultTown.start({
        replicas,
        ledger: `${target.uri.replace(/\/?$/, '/')}gt_fault_replicas${replicas}_${process.pid}`,
        env: {
          GT_LOG_LEVEL: 'debug',
          GT_WITNESS_INTERVAL_S: '1',
          GT_STRANDED_INTERVAL_S: '1',
          GT_LEASE_TTL_MS: '2000',
        },
      });
      await ft.addRigs(2, 4);
      await ft.startRunners();
    }, 120_000);
    afterAll(() => ft?.destroy());

    const allRuns = () => ft.replicas.flatMap((t) => cronRuns(t.serviceOutput));
    /** The replica whose latest cron run carries the highest fencing token: the leader now. */
    const leader = () => {
      let best = 0;
      let fence = -1;
      ft.replicas.forEach((t, i) => {
        const last = cronRuns(t.serviceOutput).at(-1);
        if (last && last.fence > fence) [best, fence] = [i, last.fence];
      });
      return best;
    };

    it(
      'dispatches each bead once, runs each cron tick once, and applies each decision once',
      async () => {
        const random = seededRandom(`replicas-${replicas}`);
        const { convoy, ids } = await ft.launchConvoy(SCALE.replicaBeads, 8);
        while ((await ft.convoyStatus(convoy)).completed < ids.length / 2) await sleep(100);
        const killed = leader();
        await ft.replicas[killed]?.down('SIGKILL');
        await sleep(random.between(500, 3_000)); // past the lease TTL: a follower takes over
        await ft.restartService(killed);
        await ft.waitLanded(convoy, TEST_TIMEOUT_MS / 2);
        const audit = await ft.audit(ids);
        const runs = allRuns();
        const fences = new Set(runs.map((r) => r.fence));

        const decisions = await raceDecisions(ft, SCALE.clicks);
        recordRow(inject('faultSummaryDir'), {
          scenario: `4 ${replicas} replicas (${target.name})`,
          beads: ids.length,
          lost: audit.lost.length,
          dispatchedTwice: audit.dispatchedTwice.length,
          mailLost: audit.mailLost.length,
          recoveries: 1,
          note: `seed ${random.seed}; ${runs.filter((r) => r.trigger === 'tick').length} cron ticks, ${doubleTicks(runs)} run twice, ${fences.size} leader terms; ${decisions.escalations} escalations × ${SCALE.clicks} concurrent clicks: ${decisions.applied} applied, ${decisions.refused} refused, ${decisions.wrong} wrong`,
        });
        expect({ lost: audit.lost, twice: audit.dispatchedTwice, mailLost: audit.mailLost }).toEqual({
          lost: [],
          twice: [],
          mailLost: [],
        });
        expect(doubleTicks(runs)).toBe(0);
        expect(fences.size).toBeGreaterThan(1); // the kill moved the lease
        expect(decisions.wrong).toBe(0);
        expect(decisions.applied).toBe(decisions.escalations);
      },
      TEST_TIMEOUT_MS,
    );
  });
}

/**
 * Escalations about beads hooked to polecats of a rig with no runner (so nothing else moves
 * them), each hit by `clicks` concurrent decisions: half `resolve --action reassign:queue`, half
 * `ack`, spread by NATS over the replicas' queue group. Exactly one resolve may succeed; the bead
 * must be back in the queue, unassigned, once; the escalation closed with one reason.
 */
async function raceDecisions(ft: FaultTown, clicks: number) {
  await ft.call('gt', ['rig', 'add', 'held', '--prefix', 'held', '--max-polecats', '3']);
  const escalations: Array<{ esc: string; bead: string }> = [];
  for (let i = 0; i < 3; i++) {
    const bead = (await ft.call<Bead>('bd', ['create', `held ${i}`, '--rig', 'held'])).id;
    await ft.call('gt', ['sling', bead]);
    const agent = ((await ft.call<Bead[]>('bd', ['show', bead]))[0] as Bead).assignee as string;
    const esc = await ft.call<Bead>('gt', [
      'escalate',
      '-s',
      'high',
      `stuck on ${bead}`,
      '--bead',
      bead,
      '--agent',
      agent,
      '--kind',
      'stuck-agent',
      '--propose',
      'reassign:queue',
      '--propose',
      'acknowledge',
    ]);
    escalations.push({ esc: esc.id, bead });
  }
  let applied = 0;
  let refused = 0;
  let wrong = 0;
  for (const { esc, bead } of escalations) {
    const burst = Array.from({ length: clicks }, (_, k) =>
      k % 2 === 0
        ? ft
            .call('gt', ['escalation', 'resolve', esc, '--action', 'reassign:queue'], 0)
            .then(() => 'resolved')
        : ft.call('gt', ['escalation', 'ack', esc], 0).then(() => 'acked'),
    );
    const outcomes = await Promise.allSettled(burst);
    let resolved = outcomes.filter((o) => o.status === 'fulfilled' && o.value === 'resolved').length;
    refused += outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof Refused).length;
    // Anything else rejected (a timeout, an internal error) is wrong, as is a second resolve.
    wrong += outcomes.filter((o) => o.status === 'rejected' && !(o.reason instanceof Refused)).length;
    if (resolved === 0) {
      // Every resolve lost its compare-and-swap to the ack: nothing moved, and the person, told
      // "changed while you decided", clicks again.
      const [still] = await ft.call<Bead[]>('bd', ['show', bead]);
      if (still?.status !== 'hooked') wrong++;
      await ft.call('gt', ['escalation', 'resolve', esc, '--action', 'reassign:queue']);
      resolved = 1;
    }
    const [e] = await ft.call<Bead[]>('bd', ['show', esc]);
    const [b] = await ft.call<Bead[]>('bd', ['show', bead]);
    const once = resolved === 1 && e?.status === 'closed' && /queue/.test(e.close_reason ?? '');
    const moved = b?.status === 'open' && b.assignee === null;
    if (once && moved) applied++;
    else wrong++;
  }
  return { escalations: escalations.length, applied, refused, wrong };
}
