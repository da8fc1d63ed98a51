import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from './runner-process.ts';
import { Town } from './town.ts';

const alive = (pid: number) =>
  existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');

/** Issue 7: shutdown is ordered and bounded; past GT_SHUTDOWN_DEADLINE_MS the process exits anyway. */
describe('gt up shutdown', () => {
  const town = new Town();
  afterAll(() => town.destroy());

  it('exits 1 when the ordered stop outlives its deadline, and takes its nats-server along', async () => {
    await town.up(['--http-port', '0'], { GT_SHUTDOWN_DEADLINE_MS: '1' });
    const nats = Number(readFileSync(join(town.home, 'nats', 'nats-server.pid'), 'utf8'));
    expect(alive(nats)).toBe(true);
    expect(await town.down()).toBe(1);
    // The last lines may arrive just after the exit.
    const late = /shutdown took longer than GT_SHUTDOWN_DEADLINE_MS \(1 ms\); exiting anyway/;
    await waitFor(() => late.test(town.serviceOutput), 5_000);
    await waitFor(() => !alive(nats), 10_000);
  }, 30_000);

  it('stops in order and exits 0 within the default deadline', async () => {
    await town.up(['--http-port', '0']);
    expect(await town.down()).toBe(0);
    await waitFor(() => /gt up: stopping\ngt up: stopped/.test(town.serviceOutput), 5_000);
    expect(existsSync(join(town.home, 'runtime.json'))).toBe(false);
  }, 30_000);
});
