import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type NatsServerProcess, startNatsServer } from '../../src/bus/nats-server-process.ts';
import { NOT_TESTED } from '../support/mongo-targets.ts';
import { gitRepo } from './runner-process.ts';
import { Town } from './town.ts';

type Bead = { id: string; status: string };

/**
 * Two service replicas on one NATS and one MongoDB-protocol ledger (issue 3 item 5): the shared
 * durable consumers and the ledger's compare-and-swaps mean each close is fed once and each
 * bead dispatched once, whichever replica answers.
 */
const targets = inject('mongoTargets');
if (targets.length === 0) describe.skip(NOT_TESTED, () => it('skipped', () => {}));

for (const target of targets.slice(0, 1)) {
  describe(`two replicas (${target.name})`, () => {
    const [one, two] = [new Town(), new Town()];
    let nats: NatsServerProcess;
    beforeAll(async () => {
      nats = await startNatsServer({ storeDir: `${one.home}/shared-nats` });
      const ledger = `${target.uri.replace(/\/?$/, '/')}gt_replicas_${process.pid}`;
      for (const town of [one, two])
        await town.up(['--http-port', '0', '--nats', nats.url, '--ledger', ledger], { GT_MQ_POLL_S: '1' });
    }, 60_000);
    afterAll(async () => {
      await one.destroy();
      await two.destroy();
      await nats.stop();
    });

    it('feeds and dispatches every bead exactly once', async () => {
      await one.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al']);
      const chains: Array<[string, string]> = [];
      for (let i = 0; i < 4; i++) {
        const town = i % 2 ? two : one;
        const a = (await town.json<Bead>('bd', ['create', `A${i}`, '--rig', 'alpha'])).id;
        const b = (await town.json<Bead>('bd', ['create', `B${i}`, '--rig', 'alpha'])).id;
        await town.json('bd', ['dep', 'add', b, a]);
        await town.json('gt', ['convoy', 'launch', a, b]);
        chains.push([a, b]);
      }
      await Promise.all(chains.map(([a], i) => (i % 2 ? one : two).json('bd', ['close', a])));
      for (const [, b] of chains) {
        let status = '';
        for (let i = 0; i < 150 && status !== 'hooked'; i++) {
          status = (await one.json<Bead[]>('bd', ['show', b]))[0]?.status ?? '';
          if (status !== 'hooked') await new Promise((r) => setTimeout(r, 100));
        }
        expect(status).toBe('hooked');
      }
      const nc = await connect({ servers: nats.url });
      try {
        const jsm = await jetstreamManager(nc);
        const { state } = await jsm.streams.info('GT_DISPATCH');
        const beads: string[] = [];
        for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
          const msg = await jsm.streams.getMessage('GT_DISPATCH', { seq }).catch(() => null);
          if (msg) beads.push(msg.json<{ bead_id: string }>().bead_id);
        }
        expect(beads.sort()).toEqual(chains.flat().sort()); // every A and B once, nothing twice
      } finally {
        await nc.close();
      }
    }, 90_000);

    it('never merge one rig at once: a merge queue runs on the holder of the rig’s lease only', async () => {
      const repo = gitRepo();
      const lock = join(repo, '..', `verifying-${process.pid}`);
      const overlaps = join(repo, '..', `overlaps-${process.pid}`);
      // Two verifications at once would find the lock taken.
      const gate = `mkdir ${lock} 2>/dev/null || { echo overlap >> ${overlaps}; exit 1; }; sleep 0.3; rmdir ${lock}`;
      await one.json('gt', ['rig', 'add', 'beta', '--prefix', 'be', '--repo', repo, '--gate', gate]);
      const git = (...args: string[]) =>
        execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@e', ...args], {
          encoding: 'utf8',
        }).trim();
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        git('checkout', '-q', '-b', `work-${i}`, 'main');
        writeFileSync(join(repo, `f${i}.txt`), `${i}\n`);
        git('add', '-A');
        git('commit', '-qm', `work ${i}`);
        git('checkout', '-q', 'main');
        const town = i % 2 ? two : one;
        ids.push((await town.json<{ id: string }>('gt', ['mq', 'submit', `work-${i}`, '--rig', 'beta'])).id);
      }
      const merged = async () =>
        (await one.json<Array<{ id: string; status: string }>>('gt', ['mq', 'list', 'beta', '--all'])).filter(
          (r) => r.status === 'merged',
        ).length;
      for (let i = 0; i < 600 && (await merged()) < ids.length; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(await merged()).toBe(ids.length);
      expect(existsSync(overlaps)).toBe(false);
      const subjects = git('log', '--format=%s', 'main').split('\n');
      for (let i = 0; i < 6; i++) expect(subjects.filter((s) => s === `work ${i}`)).toHaveLength(1);
    }, 120_000);
  });
}
