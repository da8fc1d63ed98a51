import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { polecatNames } from '../../src/domain/sling.ts';
import { waitFor } from '../e2e/runner-process.ts';
import { NOT_TESTED } from '../support/mongo-targets.ts';
import { cronRuns, doubleTicks } from './support/cron-runs.ts';
import { FaultTown } from './support/fault-town.ts';
import { FERRET_MISSING } from './support/ferret.ts';
import { seededRandom, sleep } from './support/random.ts';
import { SCALE, TEST_TIMEOUT_MS } from './support/scale.ts';
import { recordRow } from './support/tally.ts';
import { Refused } from './support/test-session.ts';

type Bead = { id: string; status: string; assignee: string | null; close_reason: string | null };
type Slot = { address: string; bead_id: string | null };

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
    /** How many times each replica has taken the lead so far. */
    const leads = () =>
      ft.replicas.map((t) => cronRuns(t.serviceOutput).filter((r) => r.trigger === 'lead').length);
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
        const before = leads();
        await ft.replicas[killed]?.down('SIGKILL');
        // Once the lease TTL has passed a follower takes over; the killed replica comes back only
        // then (a random while later), so it cannot simply win its own lease back.
        const followerLed = () => leads().some((n, i) => i !== killed && n > (before[i] ?? 0));
        await waitFor(followerLed, 30_000, () => 'no follower took the lease after the leader was killed');
        await sleep(random.between(0, 2_000));
        await ft.restartService(killed);
        await ft.waitLanded(convoy, TEST_TIMEOUT_MS / 2);
        const audit = await ft.audit(ids);
        const runs = allRuns();
        const leaders = ft.replicas.filter((t) =>
          cronRuns(t.serviceOutput).some((r) => r.trigger === 'lead'),
        ).length;

        const decisions = await raceDecisions(ft, SCALE.clicks);
        recordRow(inject('faultSummaryDir'), {
          scenario: `4 ${replicas} replicas (${target.name})`,
          beads: ids.length,
          lost: audit.lost.length,
          dispatchedTwice: audit.dispatchedTwice.length,
          mailLost: audit.mailLost.length,
          recoveries: 1,
          note: `seed ${random.seed}; ${runs.filter((r) => r.trigger === 'tick').length} cron ticks, ${doubleTicks(runs)} run twice, ${leaders} replicas took the lead; ${decisions.escalations} escalations × ${SCALE.clicks} concurrent clicks: ${decisions.applied} applied, ${decisions.refused} refused, ${decisions.wrong} wrong`,
        });
        expect({ lost: audit.lost, twice: audit.dispatchedTwice, mailLost: audit.mailLost }).toEqual({
          lost: [],
          twice: [],
          mailLost: [],
        });
        expect(doubleTicks(runs)).toBe(0);
        expect(leaders).toBeGreaterThan(1); // the kill moved the lease
        expect(decisions.why).toEqual([]);
        expect(decisions.applied).toBe(decisions.escalations);
      },
      TEST_TIMEOUT_MS,
    );
  });
}

/**
 * Escalations about beads hooked to polecats of a rig with no runner (so nothing else moves
 * them), each hit by `clicks` concurrent decisions spread by NATS over the replicas' queue
 * group: "reassign to free polecat A", "reassign to free polecat B" and "acknowledge", as
 * several people clicking different buttons at once. At most one resolve may win its
 * compare-and-swap; the bead must end hooked to the winner's choice, holding exactly one slot,
 * and the escalation closed with that one reason. If every resolve lost to the ack, nothing may
 * have moved, and the person's second click applies.
 */
async function raceDecisions(ft: FaultTown, clicks: number) {
  await ft.call('gt', ['rig', 'add', 'held', '--prefix', 'held', '--max-polecats', '9']);
  const escalations: Array<{ esc: string; bead: string }> = [];
  for (let i = 0; i < 3; i++) {
    const bead = (await ft.call<Bead>('bd', ['create', `held ${i}`, '--rig', 'held'])).id;
    // `gt sling` makes a one-bead convoy, which the stranded scan (every second here, on the
    // leader) may sling first: then ours is refused ("changed while it was being slung") and
    // the bead is hooked once, by the scan. Either way it must end hooked to one polecat.
    await ft.call('gt', ['sling', bead]).catch((err) => {
      if (!(err instanceof Refused) || !/changed while it was being slung/.test(err.message)) throw err;
    });
    const hooked = (await ft.call<Bead[]>('bd', ['show', bead]))[0] as Bead;
    if (hooked.status !== 'hooked' || !hooked.assignee)
      throw new Error(`${bead} not hooked: ${JSON.stringify(hooked)}`);
    const agent = hooked.assignee;
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
    ]);
    escalations.push({ esc: esc.id, bead });
  }
  const slots = async () =>
    (await ft.call<Slot[]>('gt', ['polecats', '--rig', 'held'])).filter((r) => r.bead_id);
  let applied = 0;
  let refused = 0;
  const why: string[] = [];
  for (const { esc, bead } of escalations) {
    const busy = new Set((await slots()).map((r) => r.address));
    const [a, b] = polecatNames(9)
      .map((n) => `held/${n}`)
      .filter((x) => !busy.has(x)) as [string, string];
    const burst = Array.from({ length: clicks }, (_, k) => {
      const to = [a, b, null][k % 3];
      const click = to
        ? ft.call('gt', ['escalation', 'resolve', esc, '--action', `reassign:${to}`], 0)
        : ft.call('gt', ['escalation', 'ack', esc], 0);
      return click.then(() => to ?? 'ack');
    });
    const outcomes = await Promise.allSettled(burst);
    const winners = outcomes.flatMap((o) => (o.status === 'fulfilled' && o.value !== 'ack' ? [o.value] : []));
    refused += outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof Refused).length;
    for (const o of outcomes)
      if (o.status === 'rejected' && !(o.reason instanceof Refused)) why.push(`${esc}: ${String(o.reason)}`);
    if (winners.length === 0) {
      // Every resolve lost its compare-and-swap to the ack: nothing may have moved; click again.
      const [still] = await ft.call<Bead[]>('bd', ['show', bead]);
      if (busy.has(still?.assignee ?? '') === false)
        why.push(`${esc}: all resolves refused, yet ${bead} moved`);
      await ft.call('gt', ['escalation', 'resolve', esc, '--action', `reassign:${a}`]);
      winners.push(a);
    }
    const [e] = await ft.call<Bead[]>('bd', ['show', esc]);
    const [after] = await ft.call<Bead[]>('bd', ['show', bead]);
    const holding = (await slots()).filter((r) => r.bead_id === bead).map((r) => r.address);
    const ok =
      winners.length === 1 &&
      e?.status === 'closed' &&
      e.close_reason?.includes(winners[0] as string) &&
      after?.assignee === winners[0] &&
      holding.length === 1 &&
      holding[0] === winners[0];
    if (ok) applied++;
    else
      why.push(
        `${esc}: winners ${winners.join(',')}; escalation ${e?.status} (${e?.close_reason}); ${bead} on ${after?.assignee}; slots ${holding.join(',')}`,
      );
  }
  return { escalations: escalations.length, applied, refused, wrong: why.length, why };
}
