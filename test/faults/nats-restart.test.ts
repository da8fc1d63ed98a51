import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FaultTown } from './support/fault-town.ts';
import { seededRandom, sleep } from './support/random.ts';
import { SCALE, TEST_TIMEOUT_MS } from './support/scale.ts';
import { recordRow } from './support/tally.ts';

/**
 * Issue 8, fault 2: the external nats-server is stopped and started again (same port, same
 * JetStream store) while a convoy runs. The service, the runners and the test's own session
 * reconnect by themselves; polecats' `gt` calls exit 3 while it is down and are retried. The
 * service reports not-ready while NATS is gone. Nothing dispatched is lost or doubled.
 */
describe(`nats-server stopped and restarted during a ${SCALE.natsBeads}-bead convoy`, () => {
  let ft: FaultTown;
  beforeAll(async () => {
    ft = await FaultTown.start();
    await ft.addRigs(2, 4);
    await ft.startRunners();
  }, 120_000);
  afterAll(() => ft?.destroy());

  // One retry on a socket error: a keep-alive socket the server closed as the probe reused it
  // says nothing about readiness; a service that is gone fails twice and shows its logs.
  const readyz = async (): Promise<number> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await fetch(`${ft.town.runtime().http_url}/readyz`)).status;
      } catch (err) {
        if (attempt > 0) throw new Error(`/readyz unreachable (${(err as Error).message})\n${ft.logs()}`);
      }
    }
  };

  it(
    'service and agents reconnect; the convoy lands with nothing lost or dispatched twice',
    async () => {
      const random = seededRandom('nats-restart');
      const { convoy, ids } = await ft.launchConvoy(SCALE.natsBeads, 8);
      let restarts = 0;
      let notReadySeen = 0;
      for (let i = 1; i <= SCALE.natsRestarts; i++) {
        const due = Math.floor((ids.length * i) / (SCALE.natsRestarts + 1));
        while ((await ft.convoyStatus(convoy)).completed < due) await sleep(100);
        await sleep(random.between(0, 500));
        await ft.nats.stop();
        // The service notices at once (its connection closed): /readyz must say so.
        let status = 0;
        for (let t = 0; t < 50 && status !== 503; t++) {
          status = await readyz();
          if (status !== 503) await sleep(100);
        }
        if (status === 503) notReadySeen++;
        await sleep(random.between(200, 2_000));
        await ft.nats.restart();
        restarts++;
      }
      await ft.waitLanded(convoy, TEST_TIMEOUT_MS - 60_000);
      expect(await readyz()).toBe(200);
      const audit = await ft.audit(ids);
      recordRow(inject('faultSummaryDir'), {
        scenario: '2 nats-server restart',
        beads: ids.length,
        lost: audit.lost.length,
        dispatchedTwice: audit.dispatchedTwice.length,
        mailLost: audit.mailLost.length,
        recoveries: restarts,
        note: `seed ${random.seed}; /readyz 503 during ${notReadySeen}/${restarts} outages; ${audit.unreachableRetries} polecat gt calls retried (exit 3); ${audit.respawns} witness respawns; ${audit.mailDuplicates} mail stored twice`,
      });
      expect({ lost: audit.lost, twice: audit.dispatchedTwice, mailLost: audit.mailLost }).toEqual({
        lost: [],
        twice: [],
        mailLost: [],
      });
      expect(notReadySeen).toBe(restarts);
    },
    TEST_TIMEOUT_MS,
  );
});
