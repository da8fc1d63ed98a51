import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenForNudges } from '../../src/bus/nudges.ts';
import type { Nudge } from '../../src/domain/nudge.ts';
import { Town } from './town.ts';

/** Nudges (issue 4 item 2): live when the agent listens, queued when not, handed over at its heartbeat. */
describe('nudges', () => {
  const town = new Town();
  beforeAll(async () => {
    await town.up();
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al']);
  }, 30_000);
  afterAll(() => town.destroy());

  it('delivers live to a listening agent, queues for an offline one, hands queued ones over once', async () => {
    const nc = await town.connectNats();
    const live: Nudge[] = [];
    const sub = listenForNudges(nc, 'gt', 'alpha/witness', (n) => live.push(n));
    await nc.flush();
    expect(await town.json('gt', ['nudge', 'alpha/witness', 'check your mail'])).toEqual({
      delivered: ['alpha/witness'],
      queued: [],
      dropped: [],
    });
    expect(live.map((n) => n.message)).toEqual(['check your mail']);
    sub.unsubscribe();
    await nc.close();

    expect(await town.json('gt', ['nudge', 'alpha/Toast', 'wake up', '--urgent'])).toMatchObject({
      queued: ['alpha/Toast'],
    });
    const agentEnv = { GT_AGENT: 'alpha/Toast' };
    const beat = await town.run('gt', ['heartbeat', '--activity', 'editing', '--json'], agentEnv);
    expect(beat.code).toBe(0);
    expect(JSON.parse(beat.stdout)).toMatchObject({
      agent: 'alpha/Toast',
      nudges: [{ message: 'wake up', urgent: true, from: 'human:e2e-user' }],
    });
    const again = JSON.parse((await town.run('gt', ['heartbeat', '--json'], agentEnv)).stdout);
    expect(again.nudges).toEqual([]);
    const refused = await town.run('gt', ['nudge', 'alpha/Nobody', 'hi']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/unknown recipient alpha\/Nobody/);
  }, 30_000);
});
