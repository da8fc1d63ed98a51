import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/app/config-schema.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { parseEnvNames, polecatEnv } from '../../src/domain/polecat-env.ts';

const refusal = (names: string[]): DomainError => {
  try {
    parseEnvNames(names);
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error(`${names.join(',')} was accepted`);
};

describe('gt rig add --env names', () => {
  it('accepts variable names, once each, in the order given', () => {
    expect(parseEnvNames(['ANTHROPIC_API_KEY', 'openai_key', '_X1', 'ANTHROPIC_API_KEY'])).toEqual([
      'ANTHROPIC_API_KEY',
      'openai_key',
      '_X1',
    ]);
    expect(parseEnvNames([])).toEqual([]);
  });

  it('refuses what is not a variable name, saying what a good one looks like', () => {
    for (const bad of ['', '1KEY', 'A-B', 'A B', 'A=B', '$HOME', 'X'.repeat(129)]) {
      const err = refusal([bad]);
      expect(err).toMatchObject({ kind: 'usage', code: 'invalid_env_name' });
      expect(err.message).toMatch(/e\.g\. --env ANTHROPIC_API_KEY/);
    }
  });

  it('refuses the runner’s and the service’s own variables: GT_*, SLACK_*, DISCORD_*', () => {
    for (const name of ['GT_NATS_CREDS', 'GT_AGENT', 'gt_ledger_url', 'SLACK_BOT_TOKEN', 'DISCORD_BOT_TOKEN'])
      expect(refusal(['OK', name]).message).toMatch(/never reach a polecat/);
    // Every setting the service reads (its secrets among them) is covered, however settings grow.
    for (const name of Object.keys(SETTINGS)) expect(refusal([name]).code, name).toBe('invalid_env_name');
  });
});

describe('a polecat’s environment', () => {
  const runnerEnv = {
    PATH: '/usr/bin:/bin',
    HOME: '/home/gt',
    USER: 'gt',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    TZ: 'UTC',
    TMPDIR: '/tmp/gt',
    SLACK_BOT_TOKEN: 'xoxb-secret',
    GT_LEDGER_URL: 'mongodb://u:secret@h/db',
    GT_NATS_CREDS: '/creds/runner.json',
    GT_NATS_PASSWORD: 'runner-password',
    AWS_SECRET_ACCESS_KEY: 'aws-secret',
    ANTHROPIC_API_KEY: 'sk-ant',
    UNSET_BUT_NAMED: undefined,
  };
  const own = { GT_AGENT: 'alpha/Toast', GT_NATS_USER: 'agent:alpha/Toast', GT_NATS_PASSWORD: 'slot' };

  it('holds the basics, the named variables and its own GT_* only, with gt/bd first on PATH', () => {
    const env = polecatEnv({
      runnerEnv,
      named: ['ANTHROPIC_API_KEY', 'UNSET_BUT_NAMED'],
      binDir: '/gt/bin',
      own,
    });
    expect(env).toEqual({
      PATH: '/gt/bin:/usr/bin:/bin',
      HOME: '/home/gt',
      USER: 'gt',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      TZ: 'UTC',
      TMPDIR: '/tmp/gt',
      ANTHROPIC_API_KEY: 'sk-ant',
      ...own,
    });
  });

  it('ignores reserved names in a rig record, and nothing named overrides its identity or PATH', () => {
    const env = polecatEnv({
      runnerEnv: { ...runnerEnv, GT_AGENT: 'beta/Nux' },
      named: ['GT_NATS_CREDS', 'SLACK_BOT_TOKEN', 'GT_AGENT', 'PATH'],
      binDir: '/gt/bin',
      own,
    });
    expect(env).not.toHaveProperty('GT_NATS_CREDS');
    expect(env).not.toHaveProperty('SLACK_BOT_TOKEN');
    expect(env.GT_AGENT).toBe('alpha/Toast');
    expect(env.GT_NATS_PASSWORD).toBe('slot');
    expect(env.PATH).toBe('/gt/bin:/usr/bin:/bin');
  });
});
