import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeEnvFileLoad, loadEnvFile } from '../../src/cli/env-file.ts';
import { DomainError } from '../../src/domain/errors.ts';

describe('loadEnvFile (.env for gt up)', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'gt-env-file-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('sets the variables the environment lacks; one already set wins, even when empty', () => {
    const d = dir();
    writeFileSync(
      join(d, '.env'),
      '# chat\nSLACK_BOT_TOKEN=xoxb-from-file\nGT_LOG_LEVEL=debug\nGT_HOME=/from/file\nGT_SUBJECT_PREFIX="quoted # not a comment"\n',
    );
    const env: NodeJS.ProcessEnv = { GT_LOG_LEVEL: 'warn', GT_HOME: '' };
    const r = loadEnvFile(d, env);
    expect(env).toEqual({
      SLACK_BOT_TOKEN: 'xoxb-from-file',
      GT_LOG_LEVEL: 'warn',
      GT_HOME: '',
      GT_SUBJECT_PREFIX: 'quoted # not a comment',
    });
    expect(r).toEqual({
      path: join(d, '.env'),
      loaded: ['GT_SUBJECT_PREFIX', 'SLACK_BOT_TOKEN'],
      kept: ['GT_HOME', 'GT_LOG_LEVEL'],
    });
  });

  it('the line for the operator names variables, never values', () => {
    const d = dir();
    writeFileSync(join(d, '.env'), 'SLACK_BOT_TOKEN=xoxb-secret\nGT_LOG_LEVEL=debug\n');
    const r = loadEnvFile(d, { GT_LOG_LEVEL: 'info' });
    const line = describeEnvFileLoad(r as NonNullable<typeof r>);
    expect(line).toBe(
      `gt up: read 1 variable from ${join(d, '.env')}; already set in the environment, kept: GT_LOG_LEVEL`,
    );
    expect(line).not.toContain('xoxb-secret');
  });

  it('no .env: nothing happens', () => {
    const env: NodeJS.ProcessEnv = { A: '1' };
    expect(loadEnvFile(dir(), env)).toBeNull();
    expect(env).toEqual({ A: '1' });
  });

  it('a .env that cannot be read is a usage error that changes nothing', () => {
    const d = dir();
    mkdirSync(join(d, '.env'));
    const env: NodeJS.ProcessEnv = { A: '1' };
    let err: unknown;
    try {
      loadEnvFile(d, env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).kind).toBe('usage');
    expect((err as DomainError).message).toMatch(
      /cannot read .*\.env \(EISDIR\); fix its permissions, or move it away/,
    );
    expect(env).toEqual({ A: '1' });
  });
});
