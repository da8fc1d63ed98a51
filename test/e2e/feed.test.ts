import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Town } from './town.ts';

type Bead = { id: string };

/** `gt feed` (issue 5 item 7): the live activity stream, as NDJSON or text. */
describe('gt feed', () => {
  const town = new Town();
  beforeAll(() => town.up(), 30_000);
  afterAll(() => town.destroy());

  /** Starts `gt feed` and resolves with its output once it exits. */
  const feed = (args: string[]) => {
    const child = spawn(
      process.execPath,
      [resolve(import.meta.dirname, '../../bin/gt.mjs'), 'feed', ...args],
      {
        env: town.env(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const done = new Promise<{ code: number | null; out: string }>((r) =>
      child.once('exit', (code) => r({ code, out })),
    );
    return { done, stderr: () => err };
  };

  it('streams new events as NDJSON, filtered by rig, and exits after --count', async () => {
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al']);
    const f = feed(['--json', '--rig', 'alpha', '--count', '3']);
    await new Promise((r) => setTimeout(r, 1_500)); // the consumer is in place
    const a = (await town.json<Bead>('bd', ['create', 'Feed me', '--rig', 'alpha'])).id;
    await town.json('bd', ['create', 'Town-level note']); // another rig's (town) event: filtered out
    await town.json('bd', ['update', a, '--status', 'in_progress']);
    await town.json('bd', ['close', a]);
    const { code, out } = await f.done;
    expect(code).toBe(0);
    const events = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e) => [e.type, e.bead_id, e.rig])).toEqual([
      ['bead_created', a, 'alpha'],
      ['bead_status_changed', a, 'alpha'],
      ['bead_closed', a, 'alpha'],
    ]);
    expect(events[0]).toMatchObject({
      actor: 'e2e-user',
      seq: expect.any(Number),
      data: { title: 'Feed me' },
    });
  }, 30_000);

  it('replays the last events as readable text lines', async () => {
    const { code, out } = await feed(['--last', '2', '--count', '2']).done;
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d bead_closed al-\w+ alpha by e2e-user/);
  }, 30_000);

  it('refuses bad flags with a usage error', async () => {
    const r = await town.run('gt', ['feed', '--last', 'many']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--last must be a whole number/);
  });
});
