import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Town } from './town.ts';

type Bead = { id: string; status: string; title: string; rig: string | null };
type Blocked = Bead & { blocked_by: string[] };

/** Issue 2 acceptance: `gt up` + `bd` driven as a user would, across a restart. */
describe('bd against a running gt up', () => {
  const town = new Town();
  beforeAll(() => town.up(), 30_000);
  afterAll(() => town.destroy());

  const ready = async () => (await town.json<Bead[]>('bd', ['ready'])).map((b) => b.id);

  it('serves /livez and /readyz and writes runtime.json', async () => {
    const rt = town.runtime();
    expect(rt.nats_url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${rt.http_url}/livez`)).status).toBe(200);
    const readyz = await fetch(`${rt.http_url}/readyz`);
    expect(readyz.status).toBe(200);
    expect(await readyz.json()).toEqual({
      ready: true,
      checks: { ledger: 'ok', nats: 'ok' },
      details: { ledger: { kind: 'sqlite' } },
    });
  });

  it('a dependency chain moves through ready/blocked as beads close, and survives a restart', async () => {
    const rig = await town.json<{ name: string; prefix: string }>('gt', [
      'rig',
      'add',
      'alpha',
      '--prefix',
      'al',
    ]);
    expect(rig).toMatchObject({ name: 'alpha', prefix: 'al', parked: false });
    const text = await town.run('bd', ['create', 'Design schema', '--rig', 'alpha', '-p', '1']);
    expect(text.code).toBe(0);
    const a = text.stdout.trim();
    expect(a).toMatch(/^al-[0-9a-z]{3}$/);
    const b = (await town.json<Bead>('bd', ['create', 'Write migration', '--rig', 'alpha'])).id;
    const c = (await town.json<Bead>('bd', ['create', 'Ship it', '--rig', 'alpha', '-t', 'feature'])).id;
    expect(await town.json('bd', ['dep', 'add', b, a])).toEqual({
      status: 'added',
      issue_id: b,
      depends_on_id: a,
      type: 'blocks',
    });
    await town.json('bd', ['dep', 'add', c, b]);

    expect(await ready()).toEqual([a]);
    const blocked = await town.json<Blocked[]>('bd', ['blocked']);
    expect(Object.fromEntries(blocked.map((x) => [x.id, x.blocked_by]))).toEqual({ [b]: [a], [c]: [b] });

    const closed = await town.json<Bead[]>('bd', ['close', a, '-r', 'done']);
    expect(closed).toMatchObject([{ id: a, status: 'closed', close_reason: 'done' }]);
    expect(await ready()).toEqual([b]);

    const natsUrl = town.runtime().nats_url;
    expect(await town.down()).toBe(0);
    // Clean shutdown: the nats-server child is gone and runtime.json removed.
    await expect(connect({ servers: natsUrl, reconnect: false, timeout: 1000 })).rejects.toThrow();
    expect(() => town.runtime()).toThrow();
    const stopped = await town.run('bd', ['ready']);
    expect(stopped.code).toBe(3);
    expect(stopped.stderr).toMatch(/gt up/);
    await town.up();

    expect(await ready()).toEqual([b]);
    const [shown] = await town.json<Array<Bead & { dependencies: unknown[]; dependents: unknown[] }>>('bd', [
      'show',
      b,
    ]);
    expect(shown).toMatchObject({
      id: b,
      status: 'open',
      dependencies: [{ id: a, type: 'blocks' }],
      dependents: [{ id: c, type: 'blocks' }],
    });
    await town.json('bd', ['close', b]);
    expect(await ready()).toEqual([c]);
    const all = await town.json<Bead[]>('bd', ['list', '--all']);
    expect(all.map((x) => x.id).sort()).toEqual([a, b, c].sort());
    expect((await town.json<Bead[]>('bd', ['list'])).map((x) => x.id)).toEqual([c]);
  }, 60_000);

  it('refuses a cycle with exit 1, naming it, and changes nothing', async () => {
    const x = (await town.json<Bead>('bd', ['create', 'X'])).id;
    const y = (await town.json<Bead>('bd', ['create', 'Y'])).id;
    await town.json('bd', ['dep', 'add', x, y]);
    const r = await town.run('bd', ['dep', 'add', y, x]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: adding ${y} → ${x} would create a cycle: ${y} → ${x} → ${y}`);
    expect(await town.json('bd', ['dep', 'cycles'])).toEqual([]);
  });

  it('a second gt up on the same home is refused', async () => {
    const r = await town.run('gt', ['up', '--http-port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/another gt up \(pid \d+\) is already running/);
  });

  it('stops cleanly on SIGINT too', async () => {
    expect(await town.down('SIGINT')).toBe(0);
    expect(town.serviceOutput).toMatch(/gt up: stopped/);
  });
});
