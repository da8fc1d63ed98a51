import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Audit, FaultTown } from './support/fault-town.ts';
import { seededRandom, sleep } from './support/random.ts';
import { SCALE, TEST_TIMEOUT_MS } from './support/scale.ts';
import { recordRow } from './support/tally.ts';

/**
 * Issue 8, fault 1: `kill -9` of the service (`gt up`) at random points while a convoy with
 * dependencies runs through real runners and shell polecats, restarting it each time. NATS is
 * external (as in production), so runners and polecats stay up; while the service is gone their
 * `gt` calls exit 3 and the polecat retries. The convoy must land with every bead closed by its
 * own polecat once, and every acknowledged mail stored and streamed.
 */
describe(`kill -9 of gt up during a ${SCALE.killBeads}-bead convoy (${SCALE.kills} kills)`, () => {
  let ft: FaultTown;
  beforeAll(async () => {
    ft = await FaultTown.start();
    await ft.addRigs(2, 4);
    await ft.startRunners();
  }, 120_000);
  afterAll(() => ft?.destroy());

  it(
    'lands the convoy: nothing lost, nothing dispatched twice, no mail lost',
    async () => {
      const random = seededRandom('service-kill');
      const { convoy, ids } = await ft.launchConvoy(SCALE.killBeads, 8);
      let kills = 0;
      // Kill i falls once about i/(kills+1) of the convoy is done, plus a random delay: spread
      // over the whole run, at a random moment of whatever is in flight then.
      for (let i = 1; i <= SCALE.kills; i++) {
        const due = Math.floor((ids.length * i) / (SCALE.kills + 1));
        while ((await ft.convoyStatus(convoy)).completed < due) await sleep(100);
        await sleep(random.between(0, 800));
        await ft.town.down('SIGKILL');
        kills++;
        await sleep(random.between(100, 2_000)); // down: polecats' gt calls fail (exit 3) and retry
        await ft.restartService();
      }
      await ft.waitLanded(convoy, TEST_TIMEOUT_MS - 60_000);
      const audit: Audit = await ft.audit(ids);
      recordRow(inject('faultSummaryDir'), {
        scenario: '1 kill -9 gt up',
        beads: ids.length,
        lost: audit.lost.length,
        dispatchedTwice: audit.dispatchedTwice.length,
        mailLost: audit.mailLost.length,
        recoveries: kills,
        note: `seed ${random.seed}; ${audit.unreachableRetries} polecat gt calls retried (exit 3); ${audit.respawns} witness respawns; ${audit.retriedDones} gt done retried after a lost reply; ${audit.mailDuplicates} mail stored twice by a retried send`,
      });
      expect({ lost: audit.lost, twice: audit.dispatchedTwice, mailLost: audit.mailLost }).toEqual({
        lost: [],
        twice: [],
        mailLost: [],
      });
      expect(kills).toBe(SCALE.kills);
    },
    TEST_TIMEOUT_MS,
  );
});
