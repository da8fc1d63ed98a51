import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Town } from './town.ts';

/**
 * `gt up --ledger mongodb://user:PASSWORD@…` never shows the password: not in the ready line, not
 * in its logs, not when it fails to start. FerretDB 1.24 on SQLite accepts any user and password
 * with authMechanism=PLAIN (it checks none) and refuses the driver's default SCRAM mechanism, so
 * the same credentials give a town that starts and one that fails.
 */
const ferret = inject('mongoTargets').find((t) => t.name === 'ferretdb');
const NOT_TESTED =
  '!!! URL redaction on a MongoDB ledger NOT tested: no FerretDB binary (run bash scripts/ferretdb.sh with Go installed) !!!';
if (!ferret) {
  process.stderr.write(`\n${NOT_TESTED}\n\n`);
  describe.skip(NOT_TESTED, () => it('skipped', () => {}));
}

const PASSWORD = 'S3cret-ledger-pw';

describe.runIf(ferret)('URL passwords in the output of gt up', () => {
  const host = new URL(ferret?.uri ?? 'mongodb://127.0.0.1:1/').host;
  const ledger = (query: string) => `mongodb://gt-user:${PASSWORD}@${host}/gt_redact_${process.pid}${query}`;
  const towns: Town[] = [];
  let town: Town;
  beforeAll(() => {
    town = new Town();
    towns.push(town);
  });
  afterAll(async () => {
    for (const t of towns) await t.destroy();
  });

  it('the ready line and the logs of a running town show the user and host, never the password', async () => {
    // debug: every log line the service writes, including each cron run.
    await town.up(['--http-port', '0', '--ledger', ledger('?authMechanism=PLAIN')], {
      GT_LOG_LEVEL: 'debug',
    });
    const ready = town.serviceOutput.split('\n').find((l) => l.startsWith('gt up: ready')) ?? '';
    expect(ready).toContain(
      `ledger mongo (mongodb://gt-user:***@${host}/gt_redact_${process.pid}?authMechanism=PLAIN)`,
    );
    // Some work, so that the service logs (the scan at start, commands, the cron lease).
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al']);
    await town.json('bd', ['create', 'A', '--rig', 'alpha']);
    expect(await town.down()).toBe(0);
    expect(town.serviceOutput).toMatch(/"level":\d+/); // the JSON logs were captured
    expect(town.serviceOutput).not.toContain(PASSWORD);
  }, 60_000);

  it('a start that fails on those credentials reports the error without the password', async () => {
    const failing = new Town();
    towns.push(failing);
    await expect(failing.up(['--http-port', '0', '--ledger', ledger('')])).rejects.toThrow(
      /gt up exited \(1\)/,
    );
    const output = failing.serviceOutput;
    expect(output).toMatch(/^error: .*authentication/im);
    expect(output).not.toContain(PASSWORD);
  }, 60_000);
});
