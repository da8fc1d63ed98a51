import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Town } from './town.ts';

type Bead = { id: string; status: string };

/** Issue 5: the stranded scan runs at once when the service starts, and on its interval. */
describe('stranded scan in the service', () => {
  const town = new Town();
  beforeAll(async () => {
    await town.up();
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al']);
  }, 30_000);
  afterAll(() => town.destroy());

  const statusOf = async (id: string) => (await town.json<Bead[]>('bd', ['show', id]))[0]?.status;

  it('after kill -9, the immediate scan at start dispatches ready work of open convoys', async () => {
    const a = (await town.json<Bead>('bd', ['create', 'A', '--rig', 'alpha'])).id;
    const b = (await town.json<Bead>('bd', ['create', 'B', '--rig', 'alpha'])).id;
    // An open convoy whose beads were never slung: what a crash between `convoy create` and a sling leaves.
    await town.json('gt', ['convoy', 'create', 'left behind', a, b]);
    expect([await statusOf(a), await statusOf(b)]).toEqual(['open', 'open']);
    await town.down('SIGKILL');
    await town.up();
    let statuses: Array<string | undefined> = [];
    for (let i = 0; i < 50; i++) {
      statuses = [await statusOf(a), await statusOf(b)];
      if (statuses.every((s) => s === 'hooked')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(statuses).toEqual(['hooked', 'hooked']);
  }, 60_000);
});
