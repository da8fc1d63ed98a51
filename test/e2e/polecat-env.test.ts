import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CredentialsFile } from '../../src/bus/credentials.ts';
import { gitRepo, RunnerProcess, waitFor } from './runner-process.ts';
import { Town } from './town.ts';

/**
 * A polecat starts from an allow-list, not from its runner's environment: a real town, a real
 * `gt rig run` holding secrets, and the environment of the agent process read back from /proc.
 */
const SECRETS: Record<string, string> = {
  SLACK_BOT_TOKEN: 'xoxb-secret-slack-token',
  SLACK_SIGNING_SECRET: 'slack-signing-secret-value',
  DISCORD_BOT_TOKEN: 'discord-secret-bot-token',
  GT_LEDGER_URL: 'mongodb://gt:ledger-secret-password@db.example/gastown',
  AWS_SECRET_ACCESS_KEY: 'aws-secret-access-key-value',
};
/** What bash adds to the environment of what it execs, besides what it was given. */
const SHELL_ADDS = ['PWD', 'OLDPWD', 'SHLVL', '_'];
const BASICS = /^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LC_[A-Z]+|TERM|TZ|TMPDIR)$/;

/** The environment a process was started with (its last exec), as a map. */
function environOf(pid: number): Record<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return Object.fromEntries(entries.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
}

const commandOf = (pid: number): string => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');

describe('a polecat’s environment', () => {
  const town = new Town();
  const repo = gitRepo();
  const scratch = mkdtempSync(join(tmpdir(), 'gt-polecat-env-'));
  let runner: RunnerProcess | undefined;
  let agentPid = 0;

  beforeAll(() => town.up(), 60_000);
  afterAll(async () => {
    await runner?.stop();
    try {
      if (agentPid > 0) process.kill(-agentPid, 'SIGKILL'); // only if a failed test left it behind
    } catch {
      // already gone
    }
    await town.destroy();
    rmSync(repo, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it('gt rig add refuses names that are not variables or are the runner’s own, and adds nothing', async () => {
    const add = (name: string) =>
      town.run('gt', [
        'rig',
        'add',
        'bad',
        '--prefix',
        'bd',
        '--repo',
        repo,
        '--merge',
        'local',
        '--command',
        'true',
        '--env',
        name,
      ]);
    const reserved = await add('GT_NATS_CREDS');
    expect(reserved.code).toBe(2);
    expect(reserved.stderr).toMatch(/GT_\*.*never reach a polecat.*--env ANTHROPIC_API_KEY/);
    const malformed = await add('NOT-A-NAME');
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/"NOT-A-NAME" is not a variable name/);
    expect(await town.json('gt', ['rig', 'list'])).toEqual([]);
  });

  it('holds none of the runner’s secrets, the variables the rig names, and its own identity', async () => {
    const pidFile = join(scratch, 'agent.pid');
    await town.json('gt', [
      'rig',
      'add',
      'envy',
      '--prefix',
      'en',
      '--repo',
      repo,
      '--merge',
      'local',
      '--command',
      `echo $$ > ${pidFile} && exec sleep 300`,
      '--env',
      'ALLOWED_VAR',
      '--env',
      'NAMED_BUT_UNSET',
    ]);
    expect((await town.run('gt', ['rig', 'list'])).stdout).toMatch(
      /^envy .* env ALLOWED_VAR,NAMED_BUT_UNSET {2}merge local \(no merge\)$/m,
    );
    const runnerCreds = join(town.home, 'creds', 'runner-envy.json');
    const login = JSON.parse(readFileSync(runnerCreds, 'utf8')) as CredentialsFile;
    runner = await RunnerProcess.start(town, 'envy', [], {
      ...SECRETS,
      GT_NATS_CREDS: runnerCreds, // the runner logs in with it: real, and never a polecat's
      ALLOWED_VAR: 'visible',
    });
    const bead = await town.json<{ id: string }>('bd', [
      'create',
      'show me your environment',
      '--rig',
      'envy',
    ]);
    await town.json('gt', ['sling', bead.id]);

    // The agent is the process the runner started and reports (sh → nice → bash → sleep exec one
    // another): read its environment once the exec chain reached the command itself.
    await waitFor(
      () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '',
      20_000,
      () => (runner ? runner.output : ''),
    );
    agentPid = Number(readFileSync(pidFile, 'utf8').trim());
    await waitFor(
      () => commandOf(agentPid).startsWith('sleep 300'),
      10_000,
      () => commandOf(agentPid),
    );
    const polecats = await town.json<Array<{ address: string; pid: number | null }>>('gt', ['polecats']);
    expect(polecats).toMatchObject([{ address: 'envy/Toast', pid: agentPid }]);
    const env = environOf(agentPid);
    const raw = readFileSync(`/proc/${agentPid}/environ`, 'utf8');

    for (const [name, value] of Object.entries(SECRETS)) {
      expect(env, name).not.toHaveProperty(name);
      expect(raw, name).not.toContain(value);
    }
    expect(env).not.toHaveProperty('GT_NATS_CREDS');
    expect(env).not.toHaveProperty('GT_ACTOR'); // the town's CLI identity, set for the runner
    expect(raw).not.toContain(login.password);
    expect(env.ALLOWED_VAR).toBe('visible');
    expect(env).not.toHaveProperty('NAMED_BUT_UNSET');
    const slot = login.polecats?.Toast as { user: string; password: string };
    expect(env).toMatchObject({
      GT_AGENT: 'envy/Toast',
      GT_RIG: 'envy',
      GT_BEAD: bead.id,
      GT_BRANCH: `polecat/Toast/${bead.id}`,
      GT_HOME: town.home,
      GT_NATS_URL: town.runtime().nats_url,
      GT_SUBJECT_PREFIX: 'gt',
      GT_NATS_USER: slot.user,
      GT_NATS_PASSWORD: slot.password,
    });
    expect(env.PATH?.startsWith(`${join(town.home, 'bin')}:`)).toBe(true);
    expect(env.HOME).toBe(process.env.HOME);
    // Nothing else of the runner's environment (the test runner's own variables included).
    const unexpected = Object.keys(env).filter(
      (k) => !BASICS.test(k) && !k.startsWith('GT_') && k !== 'ALLOWED_VAR' && !SHELL_ADDS.includes(k),
    );
    expect(unexpected).toEqual([]);
    expect(statSync(env.GT_PROMPT_FILE as string).mode & 0o777).toBe(0o600);
  }, 60_000);
});
