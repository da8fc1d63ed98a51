import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gitRepo, RunnerProcess, waitFor } from './runner-process.ts';
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
    const late = /shutdown took longer than GT_SHUTDOWN_DEADLINE_MS \(1 ms\) at "[^"]+"; exiting anyway/;
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

/** A rig runner's stop is bounded the same way: a hung step cannot keep it (and its test) alive. */
describe('gt rig run shutdown', () => {
  const town = new Town();
  const repo = gitRepo();
  afterAll(async () => {
    await town.destroy();
    rmSync(repo, { recursive: true, force: true });
  });

  it('stops in order and exits 0; past its deadline it names the step it was at and exits 1', async () => {
    await town.up(['--http-port', '0']);
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al', '--repo', repo, '--command', 'true']);
    const runner = await RunnerProcess.start(town, 'alpha');
    expect(await runner.stop('SIGTERM', 20_000)).toBe(true);
    expect(runner.exitCode).toBe(0);
    expect(runner.output).toMatch(/rig runner alpha: stopping\n(.*\n)*rig runner alpha: stopped/);

    const hurried = await RunnerProcess.start(town, 'alpha', [], { GT_SHUTDOWN_DEADLINE_MS: '1' });
    expect(await hurried.stop('SIGTERM', 20_000)).toBe(true);
    expect(hurried.exitCode).toBe(1);
    expect(hurried.output).toMatch(
      /rig runner alpha: shutdown took longer than GT_SHUTDOWN_DEADLINE_MS \(1 ms\) at "[^"]+"; exiting anyway/,
    );
  }, 60_000);
});
