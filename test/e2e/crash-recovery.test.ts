import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Town } from './town.ts';

type Bead = { id: string; status: string; assignee: string | null };

/**
 * `kill -9` of the service right after a close was acknowledged: on restart the orphaned
 * nats-server is replaced, the relay resumes from its high-water mark, the feeder catches up,
 * and the unblocked bead is dispatched exactly once — whenever the crash fell.
 */
describe('crash recovery', () => {
  const town = new Town();
  beforeAll(async () => {
    await town.up();
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al']);
  }, 30_000);
  afterAll(() => town.destroy());

  /** How many dispatch messages for `beadId` sit on the rig's work queue (no runner consumes them here). */
  async function dispatchesOf(beadId: string): Promise<number> {
    const nc = await town.connectNats();
    try {
      const jsm = await jetstreamManager(nc);
      const { state } = await jsm.streams.info('GT_DISPATCH');
      let count = 0;
      for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
        const msg = await jsm.streams.getMessage('GT_DISPATCH', { seq }).catch(() => null);
        if (msg?.json<{ bead_id: string }>().bead_id === beadId) count++;
      }
      return count;
    } finally {
      await nc.close();
    }
  }

  it.each([0, 5, 30])(
    'SIGKILL %i ms after `bd close`: the next bead is still fed, once',
    async (delayMs) => {
      const a = (await town.json<Bead>('bd', ['create', `A${delayMs}`, '--rig', 'alpha'])).id;
      const b = (await town.json<Bead>('bd', ['create', `B${delayMs}`, '--rig', 'alpha'])).id;
      await town.json('bd', ['dep', 'add', b, a]);
      await town.json('gt', ['convoy', 'launch', a, b]);
      await town.json('bd', ['close', a]);
      await new Promise((r) => setTimeout(r, delayMs));
      await town.down('SIGKILL');
      await town.up();
      let bead: Bead | undefined;
      for (let i = 0; i < 100 && bead?.status !== 'hooked'; i++) {
        bead = (await town.json<Bead[]>('bd', ['show', b]))[0];
        if (bead?.status !== 'hooked') await new Promise((r) => setTimeout(r, 100));
      }
      expect(bead?.status).toBe('hooked');
      // The dispatch follows the claim through the event stream; after a crash it may wait for an
      // unacknowledged event's redelivery (seconds). It must come, and come once.
      let dispatches = 0;
      for (let i = 0; i < 150 && dispatches === 0; i++) {
        dispatches = await dispatchesOf(b);
        if (dispatches === 0) await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 500));
      expect(await dispatchesOf(b)).toBe(1);
    },
    60_000,
  );
});
