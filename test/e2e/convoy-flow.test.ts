import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Town } from './town.ts';

type Bead = { id: string; status: string; assignee: string | null };
type Status = { status: string; completed: number; total: number };

/** Convoy patterns through the CLI against a running gt up, fed by events (issue 3 items 5–6). */
describe('convoys fed by events', () => {
  const town = new Town();
  beforeAll(async () => {
    await town.up();
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al']);
    await town.json('gt', ['rig', 'add', 'beta', '--prefix', 'be']);
  }, 30_000);
  afterAll(() => town.destroy());

  const create = async (title: string, rig = 'alpha') =>
    (await town.json<Bead>('bd', ['create', title, '--rig', rig])).id;
  const show = async (id: string) => (await town.json<Bead[]>('bd', ['show', id]))[0] as Bead;
  async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (ok(v) || Date.now() > deadline) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('dependency chain: B waits for A, is fed automatically when A closes, and the convoy lands', async () => {
    const a = await create('Schema');
    const b = await create('Migration');
    await town.json('bd', ['dep', 'add', b, a]);
    const launched = await town.json<{ convoy_id: string; dispatched: Array<{ id: string; ok: boolean }> }>(
      'gt',
      ['convoy', 'launch', a, b],
    );
    expect(launched.dispatched).toEqual([{ id: a, rig: 'alpha', ok: true }]);
    expect((await show(b)).status).toBe('open');
    await town.json('bd', ['close', a]);
    const fed = await eventually(
      () => show(b),
      (x) => x.status === 'hooked',
    );
    expect(fed).toMatchObject({ status: 'hooked', assignee: expect.stringMatching(/^alpha\//) });
    await town.json('bd', ['close', b]);
    const landed = await eventually(
      () => town.json<Status>('gt', ['convoy', 'status', launched.convoy_id]),
      (s) => s.status === 'closed',
    );
    expect(landed).toMatchObject({ status: 'closed', completed: 2, total: 2 });
  }, 60_000);

  it('fan-out across rigs: five independent beads dispatched at launch, one progress, lands when all close', async () => {
    const ids = [
      await create('f1'),
      await create('f2'),
      await create('f3', 'beta'),
      await create('f4', 'beta'),
      await create('f5'),
    ];
    const launched = await town.json<{ convoy_id: string; dispatched: Array<{ ok: boolean }> }>('gt', [
      'convoy',
      'launch',
      ...ids,
      '--force',
    ]);
    expect(launched.dispatched.filter((d) => d.ok)).toHaveLength(5);
    for (const id of ids.slice(0, 4)) await town.json('bd', ['close', id]);
    expect(await town.json<Status>('gt', ['convoy', 'status', launched.convoy_id])).toMatchObject({
      status: 'open',
      completed: 4,
      total: 5,
    });
    await town.json('bd', ['close', ids[4] as string]);
    expect(
      await eventually(
        () => town.json<Status>('gt', ['convoy', 'status', launched.convoy_id]),
        (s) => s.status === 'closed',
      ),
    ).toMatchObject({
      status: 'closed',
    });
  }, 60_000);

  it('rolling convoy: empty stays open; does not land until everything added is closed', async () => {
    const c = await town.json<{ id: string }>('gt', ['convoy', 'create', 'Rolling']);
    expect(await town.json('gt', ['convoy', 'check', c.id])).toEqual({ closed: [], open: [c.id] });
    const first = await create('r1');
    await town.json('gt', ['convoy', 'add', c.id, first]);
    await town.json('gt', ['sling', first]);
    const second = await create('r2');
    await town.json('gt', ['convoy', 'add', c.id, second]);
    await town.json('bd', ['close', first]);
    // The feeder dispatches the added bead on the close, and the convoy waits for it.
    expect(
      await eventually(
        () => show(second),
        (x) => x.status === 'hooked',
      ),
    ).toMatchObject({ status: 'hooked' });
    expect(await town.json<Status>('gt', ['convoy', 'status', c.id])).toMatchObject({
      status: 'open',
      completed: 1,
      total: 2,
    });
    await town.json('bd', ['close', second]);
    expect(
      await eventually(
        () => town.json<Status>('gt', ['convoy', 'status', c.id]),
        (s) => s.status === 'closed',
      ),
    ).toMatchObject({
      status: 'closed',
    });
  }, 60_000);

  it('every claim produced exactly one dispatch message on its rig work queue', async () => {
    const nc = await town.connectNats();
    try {
      const jsm = await jetstreamManager(nc);
      const claims = (await town.json<Bead[]>('bd', ['list', '--all'])).filter((b) =>
        b.assignee?.includes('/'),
      ).length;
      // Dispatch follows each claim through the event stream (milliseconds); allow for that lag.
      let perSubject: Record<string, number> = {};
      let total = 0;
      for (let i = 0; i < 50; i++) {
        perSubject = (await jsm.streams.info('GT_DISPATCH', { subjects_filter: '>' })).state.subjects ?? {};
        total = Object.values(perSubject).reduce((a, b) => a + b, 0);
        if (total >= claims) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(total).toBe(claims);
      expect(Object.keys(perSubject).sort()).toEqual(['gt.dispatch.alpha', 'gt.dispatch.beta']);
    } finally {
      await nc.close();
    }
  });

  it('monitoring: list with progress, stranded shows ready work nobody dispatched', async () => {
    const idle = await create('idle');
    const c = await town.json<{ id: string }>('gt', ['convoy', 'create', 'Waiting', idle]);
    const rows = await town.json<Array<{ id: string; status: string; completed: number; total: number }>>(
      'gt',
      ['convoy', 'list', '--all'],
    );
    expect(rows.find((r) => r.id === c.id)).toEqual({
      id: c.id,
      title: 'Waiting',
      status: 'open',
      completed: 0,
      total: 1,
    });
    expect(rows.filter((r) => r.status === 'closed').length).toBeGreaterThanOrEqual(3);
    const stranded = await town.json<Array<{ convoy_id: string; ready_issues: string[] }>>('gt', [
      'convoy',
      'stranded',
    ]);
    expect(stranded).toContainEqual(
      expect.objectContaining({ convoy_id: c.id, ready_count: 1, ready_issues: [idle] }),
    );
    const text = await town.run('gt', ['convoy', 'status', c.id]);
    expect(text.stdout).toContain(`🚚 ${c.id}: Waiting`);
    expect(text.stdout).toContain('0/1');
  });
});
