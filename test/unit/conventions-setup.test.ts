import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * The run command installs only what running needs: its set-up (scripts/setup.sh) never calls
 * Go, so a machine without Go runs the demo; FerretDB, which only the tests need, is built by
 * scripts/ferretdb.sh, which the test command sources. A `go` on PATH that records each call
 * shows who calls it.
 */
describe('which command installs what', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gt-setup-'));
  const calls = join(dir, 'go-calls');
  const bin = join(dir, 'bin');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(bin);

  const bash = (script: string, env: Record<string, string> = {}) =>
    new Promise<{ code: number; stderr: string }>((done) => {
      // A failing `go` that records its arguments, first on PATH.
      writeFileSync(join(bin, 'go'), `#!/bin/sh\necho "$*" >> ${calls}\nexit 1\n`);
      chmodSync(join(bin, 'go'), 0o755);
      execFile(
        'bash',
        ['-c', script],
        {
          cwd: ROOT,
          env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, ...env },
          timeout: 120_000,
        },
        (err, _stdout, stderr) =>
          done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr }),
      );
    });

  it('the run command’s set-up never calls go', async () => {
    // An empty tools cache: no FerretDB built before (the node on PATH is new enough, as vitest runs on it).
    const r = await bash('source scripts/setup.sh', { GT_TOOLS_DIR: join(dir, 'tools-run') });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(calls)).toBe(false);
    expect(r.stderr).not.toMatch(/ferretdb/i);
    expect(readFileSync(join(ROOT, 'scripts/up.sh'), 'utf8')).not.toMatch(/ferretdb/i);
  });

  it('the test command builds FerretDB; when the build fails it says the Mongo tests are skipped, and goes on', async () => {
    expect(readFileSync(join(ROOT, 'scripts/test.sh'), 'utf8')).toMatch(/^source scripts\/ferretdb\.sh$/m);
    const r = await bash(
      'source scripts/ferretdb.sh && if [ -z "$GT_FERRETDB_BIN" ]; then echo no-binary >&2; fi',
      {
        GT_TOOLS_DIR: join(dir, 'tools'),
        GT_FERRETDB_BIN: '',
      },
    );
    expect(r.code, r.stderr).toBe(0);
    // It stopped at the first failed step.
    expect(readFileSync(calls, 'utf8')).toBe('version\nmod init fdbbuild\n');
    expect(r.stderr).toMatch(
      /FerretDB build failed; the MongoDB adapter tests will be SKIPPED unless MONGODB_URI is set/,
    );
    expect(r.stderr).toContain('no-binary');
    expect(existsSync(join(dir, 'tools', 'bin', 'ferretdb'))).toBe(false);
  });
});
