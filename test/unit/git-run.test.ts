import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitError, REFINERY_IDENTITY, runGit } from '../../src/git/run-git.ts';
import { initRepo, useTempDir } from './git-fixture.ts';

/** runGit: no shell, no prompts, none of the machine's git config, errors that say what failed. */
describe('runGit', () => {
  const dir = useTempDir();

  it('returns stdout without the trailing newline, and feeds input to stdin', async () => {
    const sha = await runGit(dir(), ['hash-object', '--stdin'], { input: 'hello\n' });
    expect(sha).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
  });

  it('passes arguments as they are (no shell reads them)', async () => {
    await runGit(dir(), ['init', '--quiet', '$(touch pwned)']);
    expect(existsSync(join(dir(), '$(touch pwned)', '.git'))).toBe(true);
    expect(existsSync(join(dir(), 'pwned'))).toBe(false);
  });

  it('throws a GitError that says what failed on a missing repository path', async () => {
    const missing = join(dir(), 'no-such-repo');
    const error = await runGit(missing, ['status']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    const e = error as GitError;
    expect(e.args).toEqual(['status']);
    expect(e.code).toBe(128);
    expect(e.stderr).toContain(`cannot change to '${missing}'`);
    expect(e.message).toContain('git status exited 128');
    expect(e.message).toContain(missing);
  });

  it('throws with git’s words outside a repository', async () => {
    const e = (await runGit(dir(), ['log']).catch((x: unknown) => x)) as GitError;
    expect(e.stderr).toMatch(/not a git repository/);
  });

  it('ignores the global config and commits as the refinery', async () => {
    const home = join(dir(), 'home');
    mkdirSync(home);
    writeFileSync(
      join(home, '.gitconfig'),
      '[user]\n\tname = Leaky\n\temail = leaky@example.com\n[alias]\n\tst = status\n',
    );
    const env = { HOME: home, XDG_CONFIG_HOME: home };
    expect(await runGit(dir(), ['var', 'GIT_COMMITTER_IDENT'], { env })).toMatch(
      new RegExp(`^${REFINERY_IDENTITY.name} <${REFINERY_IDENTITY.email}>`),
    );
    const e = (await runGit(dir(), ['config', '--get', 'alias.st'], { env }).catch(
      (x: unknown) => x,
    )) as GitError;
    expect(e.code).toBe(1); // not set anywhere git looks
  });

  it('ignores a GIT_DIR inherited from its parent (a hook, a polecat)', async () => {
    const mine = await initRepo(join(dir(), 'mine'));
    const other = await initRepo(join(dir(), 'other'));
    const saved = process.env.GIT_DIR;
    process.env.GIT_DIR = join(other, '.git');
    try {
      expect(await runGit(mine, ['rev-parse', '--absolute-git-dir'])).toBe(join(mine, '.git'));
    } finally {
      if (saved === undefined) delete process.env.GIT_DIR;
      else process.env.GIT_DIR = saved;
    }
  });

  it('kills git and whatever it started when the timeout fires', async () => {
    // The alias's shell and its sleep hold git's stdout open: only killing the group ends the wait.
    const e = (await runGit(dir(), ['-c', 'alias.hang=!sleep 60', 'hang'], { timeoutMs: 200 }).catch(
      (x: unknown) => x,
    )) as GitError;
    expect(e).toBeInstanceOf(GitError);
    expect(e.code).toBeNull();
    expect(e.message).toContain('timed out after 200 ms');
  });
});
