import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const GT = resolve(import.meta.dirname, '../../bin/gt.mjs');

/** `gt up` in `cwd` with exactly `env` (plus PATH): exit code and stderr. */
function gtUp(cwd: string, env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [GT, 'up', '--http-port', '0'],
      { cwd, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 },
      (err, _stdout, stderr) =>
        done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr }),
    );
  });
}

/**
 * The docs say "put them in .env": `gt up` reads `.env` from its working directory, and a
 * variable set in the environment wins over the file. Shown with invalid values, so `gt up`
 * names what it read and stops before starting anything.
 */
describe('gt up reads .env from its working directory', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'gt-env-cwd-'));
  const home = join(cwd, 'home');
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));
  writeFileSync(join(cwd, '.env'), 'GT_LOG_LEVEL=loud\nGT_WITNESS_INTERVAL_S=-5\n');

  it('a value from .env is used (here: refused, naming the variable)', async () => {
    const r = await gtUp(cwd, { GT_HOME: home });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`gt up: read 2 variables from ${join(cwd, '.env')}`);
    expect(r.stderr).toMatch(/GT_LOG_LEVEL: must be fatal, error/);
    expect(r.stderr).toMatch(/GT_WITNESS_INTERVAL_S: must be 1 or more/);
    expect(existsSync(join(home, 'ledger.db'))).toBe(false);
  });

  it('the environment wins over .env', async () => {
    const r = await gtUp(cwd, { GT_HOME: home, GT_LOG_LEVEL: 'info' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('already set in the environment, kept: GT_LOG_LEVEL');
    expect(r.stderr).not.toMatch(/GT_LOG_LEVEL: must be/);
    expect(r.stderr).toMatch(/GT_WITNESS_INTERVAL_S: must be 1 or more/);
  });
});
