import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Liveness, LivenessReporter } from '../../src/agent/liveness.ts';
import { Town } from './town.ts';

type Bead = { id: string; status: string; assignee: string | null };

/** Polecats that fail, and a runner that dies and comes back (issue 4 item 4 and bad input). */
describe('rig runner lifecycle', () => {
  const town = new Town();
  const repo = mkdtempSync(join(tmpdir(), 'gt-runner-repo-'));
  const runners: ChildProcess[] = [];
  let nc: NatsConnection;
  let liveness: LivenessReporter;
  /** Process groups a test leaves running if it fails half-way. */
  const leftovers: number[] = [];

  const startRunner = async (rig: string) => {
    let out = '';
    const child = spawn(
      process.execPath,
      [resolve(import.meta.dirname, '../../bin/gt.mjs'), 'rig', 'run', rig],
      {
        env: town.env(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    runners.push(child);
    for (let i = 0; i < 100 && !out.includes('ready'); i++) await new Promise((r) => setTimeout(r, 100));
    return { child, output: () => out };
  };
  const until = async <T>(probe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> => {
    let v = await probe();
    for (let i = 0; i < 100 && !ok(v); i++) {
      await new Promise((r) => setTimeout(r, 100));
      v = await probe();
    }
    return v;
  };

  beforeAll(async () => {
    execFileSync('git', ['-C', repo, 'init', '-q', '-b', 'main']);
    execFileSync('git', [
      '-C',
      repo,
      '-c',
      'user.email=t@e',
      '-c',
      'user.name=t',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'init',
    ]);
    await town.up();
    nc = await town.connectNats();
    liveness = await LivenessReporter.open(nc, 'gt');
  }, 60_000);
  afterAll(async () => {
    for (const r of runners) r.kill('SIGTERM');
    for (const pid of leftovers) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await nc.close();
    await town.destroy();
    rmSync(repo, { recursive: true, force: true });
  });

  it('a polecat that exits at once (or whose command does not exist) is reported; its bead stays hooked', async () => {
    await town.json('gt', [
      'rig',
      'add',
      'quick',
      '--prefix',
      'qk',
      '--repo',
      repo,
      '--merge',
      'local',
      '--command',
      'no-such-agent-binary --go',
    ]);
    const runner = await startRunner('quick');
    const id = (await town.json<Bead>('bd', ['create', 'doomed', '--rig', 'quick'])).id;
    await town.json('gt', ['sling', id]);
    const entry = await until(
      () => liveness.get('quick/Toast'),
      (l) => l?.alive === false,
    );
    expect(entry).toMatchObject({ bead: id, alive: false, exit_code: 127 });
    expect((await town.json<Bead[]>('bd', ['show', id]))[0]).toMatchObject({
      status: 'hooked',
      assignee: 'quick/Toast',
    });
    expect(runner.output()).toMatch(/quick\/Toast exited \(code 127\)/);
    // The service's witness view combines the runner's report with the hook: a zombie.
    const polecats = await town.json<Array<{ address: string; verdict: string; why: string }>>('gt', [
      'polecats',
      '--rig',
      'quick',
    ]);
    expect(polecats).toMatchObject([
      { address: 'quick/Toast', verdict: 'zombie', why: expect.stringContaining('exit 127') },
    ]);
  }, 30_000);

  it('a restarted runner re-adopts a polecat that outlived it, and reports when it ends', async () => {
    await town.json('gt', [
      'rig',
      'add',
      'slow',
      '--prefix',
      'sl',
      '--repo',
      repo,
      '--merge',
      'local',
      '--command',
      'sleep 300',
    ]);
    const first = await startRunner('slow');
    const id = (await town.json<Bead>('bd', ['create', 'long job', '--rig', 'slow'])).id;
    await town.json('gt', ['sling', id]);
    const running = (await until(
      () => liveness.get('slow/Toast'),
      (l) => l?.alive === true,
    )) as Liveness;
    leftovers.push(running.pid);
    first.child.kill('SIGKILL'); // the runner dies; the polecat (its own process group) lives on
    await new Promise((r) => first.child.once('exit', r));
    expect(() => process.kill(running.pid, 0)).not.toThrow();
    const second = await startRunner('slow');
    expect(second.output()).toContain(`re-adopted slow/Toast (pid ${running.pid})`);
    process.kill(-running.pid, 'SIGKILL');
    const ended = await until(
      () => liveness.get('slow/Toast'),
      (l) => l?.alive === false,
    );
    expect(ended).toMatchObject({ bead: id, alive: false, exit_code: null });
  }, 30_000);
});
