import { afterAll, describe, expect, inject, it } from 'vitest';
import { NOT_TESTED } from '../support/mongo-targets.ts';
import { Town } from './town.ts';

type Bead = { id: string; status: string };

/**
 * `gt up --ledger mongodb://…`: the same flow as on SQLite, on every MongoDB-protocol target, in the
 * mode the server's answer chooses and in the other one forced (GT_MONGO_MODE), each shown by /readyz.
 */
const targets = inject('mongoTargets');
if (targets.length === 0) describe.skip(NOT_TESTED, () => it('skipped', () => {}));

const MODES = [
  { setting: 'auto', chosen: { ferretdb: 'compat', mongodb: 'mongodb' } },
  { setting: 'mongodb', chosen: { ferretdb: 'mongodb', mongodb: 'mongodb' } },
] as const;

for (const target of targets) {
  for (const { setting, chosen } of MODES) {
    describe(`gt up on the MongoDB ledger (${target.name}, GT_MONGO_MODE=${setting})`, () => {
      const town = new Town();
      const ledger = `${target.uri.replace(/\/?$/, '/')}gt_e2e_${process.pid}_${setting}`;
      const env = { GT_MONGO_MODE: setting, GT_LOG_LEVEL: 'info' };
      afterAll(() => town.destroy());

      it('serves bd and convoys, feeds by events, and keeps everything across a restart', async () => {
        await town.up(['--http-port', '0', '--ledger', ledger], env);
        const mode = chosen[target.name as 'ferretdb' | 'mongodb'];
        expect(town.serviceOutput).toMatch(new RegExp(`ledger ready: mongo, ${mode}, `));
        expect(await (await fetch(`${town.runtime().http_url}/readyz`)).json()).toEqual({
          ready: true,
          checks: { ledger: 'ok', nats: 'ok' },
          details: {
            ledger: {
              kind: 'mongo',
              mode,
              server:
                target.name === 'ferretdb'
                  ? expect.stringMatching(/^FerretDB v1\.24/)
                  : expect.stringMatching(/^MongoDB /),
              why: setting === 'auto' ? expect.any(String) : 'set by GT_MONGO_MODE',
            },
          },
        });
        await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al']);
        const a = (await town.json<Bead>('bd', ['create', 'A', '--rig', 'alpha'])).id;
        const b = (await town.json<Bead>('bd', ['create', 'B', '--rig', 'alpha'])).id;
        await town.json('bd', ['dep', 'add', b, a]);
        const { convoy_id } = await town.json<{ convoy_id: string }>('gt', ['convoy', 'launch', a, b]);
        await town.json('bd', ['close', a]);
        let fed: Bead | undefined;
        for (let i = 0; i < 100 && fed?.status !== 'hooked'; i++) {
          fed = (await town.json<Bead[]>('bd', ['show', b]))[0];
          if (fed?.status !== 'hooked') await new Promise((r) => setTimeout(r, 100));
        }
        expect(fed?.status).toBe('hooked');
        expect(await town.down()).toBe(0);
        await town.up(['--http-port', '0', '--ledger', ledger], env);
        expect(await town.json('gt', ['convoy', 'status', convoy_id])).toMatchObject({
          status: 'open',
          completed: 1,
          total: 2,
        });
        expect(await town.json('bd', ['ready'])).toEqual([]);
      }, 90_000);
    });
  }
}
