import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './runner-process.ts';
import { Town } from './town.ts';

type Progress = {
  id: string;
  landed: boolean;
  completed: number;
  total: number;
  waves: Array<{ wave: number; done: number; total: number }>;
};

/** `gt convoy watch`: live progress that follows the ledger's events until the convoy lands. */
describe('gt convoy watch', () => {
  const town = new Town();
  beforeAll(async () => {
    await town.up();
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al']);
  }, 60_000);
  afterAll(() => town.destroy());

  async function convoyOf(n: number): Promise<{ convoy: string; beads: string[] }> {
    const beads: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = (await town.json<{ id: string }>('bd', ['create', `Watched ${i}`, '--rig', 'alpha'])).id;
      if (beads.length > 0) await town.json('bd', ['dep', 'add', id, beads[beads.length - 1] as string]);
      beads.push(id);
    }
    const launched = await town.json<{ convoy_id: string }>('gt', ['convoy', 'launch', ...beads]);
    return { convoy: launched.convoy_id, beads };
  }

  it('prints progress per wave as beads close (NDJSON with --json) and exits 0 when the convoy lands', async () => {
    const { convoy, beads } = await convoyOf(2);
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, '../../bin/gt.mjs'), 'convoy', 'watch', convoy, '--json'],
      {
        env: town.env(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const frames = () =>
      out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Progress[]);
    await waitFor(() => frames().length >= 1, 10_000);
    expect(frames()[0]?.[0]).toMatchObject({ id: convoy, landed: false, completed: 0, total: 2 });
    for (const id of beads) await town.json('bd', ['close', id]);
    expect(await exited).toBe(0);
    const last = frames().at(-1)?.[0];
    expect(last).toMatchObject({ landed: true, completed: 2, total: 2 });
    // Waves stay as planned while they fill: two waves of one bead, both done.
    expect(last?.waves).toEqual([
      expect.objectContaining({ wave: 1, done: 1, total: 1 }),
      expect.objectContaining({ wave: 2, done: 1, total: 1 }),
    ]);
    // Frames are printed on change only: never two identical ones in a row.
    const texts = out.split('\n').filter(Boolean);
    expect(texts.every((t, i) => i === 0 || t !== texts[i - 1])).toBe(true);
  }, 30_000);

  it('gives up after --timeout with exit 1, and refuses an unknown convoy', async () => {
    const { convoy } = await convoyOf(1);
    const slow = await town.run('gt', ['convoy', 'watch', convoy, '--timeout', '1']);
    expect(slow.code).toBe(1);
    expect(slow.stderr).toMatch(/not landed after 1 s/);
    expect(slow.stdout).toMatch(/wave 1 {2}░{10} 0\/1/);
    const unknown = await town.run('gt', ['convoy', 'watch', 'hq-cv-nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: .*hq-cv-nope/m);
    const bad = await town.run('gt', ['convoy', 'watch', convoy, '--timeout', 'soon']);
    expect(bad.code).toBe(2);
  }, 30_000);
});
