import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LivenessReporter } from '../../src/agent/liveness.ts';
import { openMailbox } from '../../src/agent/mailbox.ts';
import { callApi } from '../../src/bus/api-client.ts';
import type { CredentialsFile } from '../../src/bus/credentials.ts';
import { type NatsServerProcess, startNatsServer } from '../../src/bus/nats-server-process.ts';
import { listenForNudges } from '../../src/bus/nudges.ts';
import { dispatchStream, livenessBucket, mailStream } from '../../src/bus/streams.ts';
import { type Identity, inboxPrefixFor } from '../../src/bus/subjects.ts';
import type { Mail } from '../../src/domain/mail.ts';
import { RunnerProcess, waitFor } from './runner-process.ts';
import { Town } from './town.ts';

/**
 * Per-agent NATS authorization against the real nats-server `gt up` starts with the users it
 * generated: each polecat slot can read only its own mail and nudges and speak only for itself,
 * and only a rig's runner can take that rig's dispatch queue.
 */
const git = (repo: string, ...args: string[]) =>
  execFileSync('git', ['-C', repo, '-c', 'user.email=t@e', '-c', 'user.name=t', ...args]);
const REFUSED = /Permissions Violation/;
const ROOT = join(import.meta.dirname, '../..');

describe('NATS authorization (embedded nats-server)', () => {
  const town = new Town();
  const repo = mkdtempSync(join(tmpdir(), 'gt-auth-repo-'));
  const open: NatsConnection[] = [];
  let url = '';

  const creds = (file: string): CredentialsFile =>
    JSON.parse(readFileSync(join(town.home, 'creds', file), 'utf8')) as CredentialsFile;
  const polecat = (rig: string, name: string) =>
    creds(`runner-${rig}.json`).polecats?.[name] as CredentialsFile;
  /** Connects as a generated user, with the inbox its identity may read. */
  const login = async (who: CredentialsFile, identity: Identity): Promise<NatsConnection> => {
    const nc = await connect({
      servers: url,
      user: who.user,
      pass: who.password,
      inboxPrefix: inboxPrefixFor('gt', identity),
    });
    open.push(nc);
    return nc;
  };
  const asAgent = (rig: string, name: string) => login(polecat(rig, name), { kind: 'agent', rig, name });
  const asRunner = (rig: string) => login(creds(`runner-${rig}.json`), { kind: 'runner', rig });
  /** Resolves true when the server refuses the subscription, false if it is still open after 2 s. */
  const subscriptionRefused = async (nc: NatsConnection, subject: string): Promise<boolean> => {
    const sub = nc.subscribe(subject);
    const refused = (async () => {
      try {
        for await (const _ of sub);
        return false;
      } catch (err) {
        return REFUSED.test((err as Error).message);
      }
    })();
    const open = new Promise<boolean>((r) => setTimeout(() => r(false), 2000));
    const verdict = await Promise.race([refused, open]);
    sub.unsubscribe();
    return verdict;
  };

  beforeAll(async () => {
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'init');
    await town.up();
    url = town.runtime().nats_url;
    for (const rig of ['alpha', 'beta'])
      await town.json('gt', [
        'rig',
        'add',
        rig,
        '--prefix',
        rig.slice(0, 2),
        '--repo',
        repo,
        '--merge',
        'local',
        '--max-polecats',
        '2',
      ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(open.map((nc) => nc.close()));
    await town.destroy();
    rmSync(repo, { recursive: true, force: true });
  });

  it('refuses a connection without credentials or with a wrong password', async () => {
    await expect(connect({ servers: url, maxReconnectAttempts: 0 })).rejects.toThrow(/Authorization/);
    const toast = polecat('alpha', 'Toast');
    await expect(
      connect({ servers: url, user: toast.user, pass: `${toast.password}x`, maxReconnectAttempts: 0 }),
    ).rejects.toThrow(/Authorization/);
  });

  it('the CLI says how to log in when it has no credentials', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'gt-no-creds-'));
    const r = await town.run('gt', ['rig', 'list'], { GT_HOME: elsewhere, GT_NATS_URL: url });
    rmSync(elsewhere, { recursive: true });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/refused the login.*GT_NATS_CREDS/);
  });

  it('agent A reads its own mail and cannot read agent B’s, by any route', async () => {
    for (const to of ['alpha/Toast', 'alpha/Nux'])
      await town.json('gt', ['mail', 'send', to, '-s', `for ${to}`, '-m', 'private']);
    const toastActor = { kind: 'agent' as const, id: 'alpha/Toast' };
    const nuxActor = { kind: 'agent' as const, id: 'alpha/Nux' };
    const toast = await asAgent('alpha', 'Toast');

    // Its own mailbox works: the durable consumer over its subject, ledger read receipts.
    const got: Mail[] = [];
    const box = await openMailbox(toast, 'gt', toastActor, async (m) => void got.push(m));
    for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    await box.close();
    expect(got.map((m) => m.subject)).toEqual(['for alpha/Toast']);

    // B's mail subject, the whole mail stream, B's consumer (created by B itself), reply inboxes.
    expect(await subscriptionRefused(toast, 'gt.mail.alpha.Nux')).toBe(true);
    expect(await subscriptionRefused(toast, '_INBOX.>')).toBe(true);
    expect(await subscriptionRefused(toast, 'gt.nudge.alpha.Nux')).toBe(true);
    const jsm = await jetstreamManager(toast);
    const stealing = { ack_policy: AckPolicy.Explicit, filter_subject: 'gt.mail.alpha.Nux' };
    await expect(
      jsm.consumers.add(mailStream('gt'), { ...stealing, durable_name: 'mail-alpha_Toast' }),
    ).rejects.toThrow(REFUSED);
    await expect(
      jsm.consumers.add(mailStream('gt'), { ...stealing, durable_name: 'mail-alpha_Nux' }),
    ).rejects.toThrow(REFUSED);
    const nux = await asAgent('alpha', 'Nux');
    const nuxBox = await openMailbox(nux, 'gt', nuxActor, async () => {});
    await nuxBox.close();
    const nuxConsumer = await jetstream(toast)
      .consumers.get(mailStream('gt'), 'mail-alpha_Nux')
      .catch((e) => e);
    expect(String(nuxConsumer)).toMatch(REFUSED);

    // Through the API: its own subject refuses a claimed other identity, and the other subjects
    // refuse it outright; speaking as itself, the command layer keeps B's mailbox closed.
    const asNux = { verb: 'gt mail inbox', args: {}, actor: nuxActor };
    await expect(toast.request('gt.api.gt.mail.inbox', JSON.stringify(asNux))).rejects.toThrow(REFUSED);
    await expect(toast.request('gt.as.agent.alpha.Nux.gt.mail.inbox', JSON.stringify(asNux))).rejects.toThrow(
      REFUSED,
    );
    const spoofed = await toast.request('gt.as.agent.alpha.Toast.gt.mail.inbox', JSON.stringify(asNux));
    expect(spoofed.json()).toMatchObject({ ok: false, error: { code: 'identity_mismatch' } });
    const snooping = await callApi(toast, 'gt', {
      verb: 'gt mail inbox',
      args: { agent: 'alpha/Nux' },
      actor: toastActor,
    });
    expect(snooping).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    // Its own nudges arrive live (it may answer the service's request, and nothing else).
    const nudged: string[] = [];
    listenForNudges(toast, 'gt', 'alpha/Toast', (n) => nudged.push(n.message));
    await toast.flush();
    expect(await town.json('gt', ['nudge', 'alpha/Toast', 'wake up'])).toMatchObject({
      delivered: ['alpha/Toast'],
    });
    expect(nudged).toEqual(['wake up']);

    // Heartbeats: its own only.
    toast.publish('gt.hb.alpha.Nux', '{}');
    const violation = await nextError(toast);
    expect(violation).toMatch(/Permissions Violation for Publish to "gt.hb.alpha.Nux"/);
  });

  it('only a rig’s runner consumes that rig’s dispatch queue', async () => {
    const alpha = await asRunner('alpha');
    const jsm = await jetstreamManager(alpha);
    const queue = { ack_policy: AckPolicy.Explicit, filter_subject: 'gt.dispatch.beta' };
    await expect(
      jsm.consumers.add(dispatchStream('gt'), { ...queue, durable_name: 'runner-beta' }),
    ).rejects.toThrow(REFUSED);
    await expect(
      jsm.consumers.add(dispatchStream('gt'), { ...queue, durable_name: 'runner-alpha' }),
    ).rejects.toThrow(REFUSED);
    // beta's runner makes its consumer; alpha's cannot pull from it, nor can an agent.
    const beta = await asRunner('beta');
    await jetstreamManager(beta).then((m) =>
      m.consumers.add(dispatchStream('gt'), { ...queue, durable_name: 'runner-beta' }),
    );
    for (const thief of [alpha, await asAgent('beta', 'Toast')]) {
      const pulled = await jetstream(thief)
        .consumers.get(dispatchStream('gt'), 'runner-beta')
        .catch((e) => e);
      expect(String(pulled)).toMatch(REFUSED);
    }
    // A runner asks the API only what running its rig needs.
    const hook = (agent: string) =>
      callApi(alpha, 'gt', {
        verb: 'gt hook',
        args: { agent },
        actor: { kind: 'system', id: 'runner:alpha' },
      });
    expect(await hook('alpha/Toast')).toMatchObject({ ok: true });
    expect(await hook('beta/Toast')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('a runner touches no consumer of the liveness bucket, and a restarted one still re-adopts its polecats', async () => {
    const bucket = `KV_${livenessBucket('gt')}`;
    const operator = await town.connectNats();
    open.push(operator);
    const admin = await jetstreamManager(operator);
    // The service's watch of the bucket (its live view of every polecat) and someone else's consumer.
    const watches = await admin.consumers.list(bucket).next();
    expect(watches.length).toBeGreaterThan(0);
    const other = { durable_name: 'someone-else', ack_policy: AckPolicy.None };
    await admin.consumers.add(bucket, other);
    const jsm = await jetstreamManager(await asRunner('alpha'));
    for (const name of [...watches.map((c) => c.name), 'someone-else'])
      await expect(jsm.consumers.delete(bucket, name), name).rejects.toThrow(REFUSED);
    const ownKeys = { ack_policy: AckPolicy.None, filter_subject: `$KV.${livenessBucket('gt')}.alpha.*` };
    await expect(jsm.consumers.add(bucket, ownKeys)).rejects.toThrow(REFUSED);
    await expect(jsm.consumers.add(bucket, { ...ownKeys, name: 'runner-alpha-keys' })).rejects.toThrow(
      REFUSED,
    );
    for (const c of watches) expect((await admin.consumers.info(bucket, c.name)).name).toBe(c.name);
    await admin.consumers.delete(bucket, 'someone-else');

    // Re-adoption reads the rig's slot keys directly: it works without any of that.
    await town.json('gt', [
      'rig',
      'add',
      'delta',
      '--prefix',
      'de',
      '--repo',
      repo,
      '--merge',
      'local',
      '--command',
      'sleep 300',
    ]);
    const liveness = await LivenessReporter.open(operator, 'gt');
    const first = await RunnerProcess.start(town, 'delta');
    let pid = 0;
    try {
      const bead = await town.json<{ id: string }>('bd', ['create', 'outlive the runner', '--rig', 'delta']);
      await town.json('gt', ['sling', bead.id]);
      await waitFor(
        async () => (await liveness.get('delta/Toast'))?.alive === true,
        20_000,
        () => first.output,
      );
      pid = (await liveness.get('delta/Toast'))?.pid ?? 0;
      await first.stop('SIGKILL'); // a crash: the polecat lives on
      const second = await RunnerProcess.start(town, 'delta');
      try {
        expect(second.output).toContain(`re-adopted delta/Toast (pid ${pid}) working on ${bead.id}`);
        process.kill(-pid, 'SIGKILL');
        await waitFor(
          async () => (await liveness.get('delta/Toast'))?.alive === false,
          10_000,
          () => second.output,
        );
        expect(first.output + second.output).not.toMatch(REFUSED);
      } finally {
        await second.stop();
      }
    } finally {
      await first.stop();
      if (pid > 0) killGroup(pid);
    }
  }, 60_000);

  it('a runner hands each polecat its own user, and the polecat works with it', async () => {
    await town.json('gt', [
      'rig',
      'add',
      'gamma',
      '--prefix',
      'ga',
      '--repo',
      repo,
      '--merge',
      'local',
      '--command',
      'echo "$GT_NATS_USER" > who.txt && git add who.txt && git -c user.email=p@e -c user.name=p commit -qm who && gt done',
    ]);
    // The rig was added while the server ran: its users exist as soon as `gt rig add` answered.
    const runner = await RunnerProcess.start(town, 'gamma');
    try {
      const bead = await town.json<{ id: string }>('bd', ['create', 'who am i', '--rig', 'gamma']);
      await town.json('gt', ['sling', bead.id]);
      let status = '';
      for (let i = 0; i < 100 && status !== 'closed'; i++) {
        await new Promise((r) => setTimeout(r, 200));
        status = (await town.json<Array<{ status: string }>>('bd', ['show', bead.id]))[0]?.status ?? '';
      }
      expect(status).toBe('closed');
      const branch = `polecat/Toast/${bead.id}`;
      expect(
        execFileSync('git', ['-C', repo, 'show', `${branch}:who.txt`], { encoding: 'utf8' }).trim(),
      ).toBe('agent:gamma/Toast');
      expect(runner.output).not.toMatch(REFUSED);
    } finally {
      await runner.stop();
    }
  }, 60_000);

  it('issued credentials survive a service restart', async () => {
    const before = polecat('alpha', 'Toast');
    await town.down();
    await town.up();
    url = town.runtime().nats_url;
    expect(polecat('alpha', 'Toast')).toEqual(before);
    const toast = await asAgent('alpha', 'Toast');
    const reply = await callApi(toast, 'gt', {
      verb: 'gt hook',
      args: {},
      actor: { kind: 'agent', id: 'alpha/Toast' },
    });
    expect(reply).toMatchObject({ ok: true });
  }, 60_000);
});

/** Ends a polecat's process group a failed test may have left running. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** The next asynchronous error the server reports on this connection. */
async function nextError(nc: NatsConnection): Promise<string> {
  for await (const s of nc.status()) if (s.type === 'error') return s.error.message;
  return '';
}

/**
 * An external nats-server configured with the users `npm run nats:users` prints (the docs' way):
 * the service logs in with GT_NATS_USER/GT_NATS_PASSWORD, the CLI and the runner find their
 * files, and a polecat finishes its bead with its own user.
 */
describe('NATS authorization (external nats-server, users from scripts/nats-users.ts)', () => {
  const town = new Town();
  const repo = mkdtempSync(join(tmpdir(), 'gt-auth-ext-'));
  let server: NatsServerProcess;
  let runner: RunnerProcess | undefined;

  beforeAll(async () => {
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'init');
    const authorization = execFileSync(
      process.execPath,
      [join(ROOT, 'scripts/nats-users.ts'), '--home', town.home, 'alpha:2'],
      { encoding: 'utf8' },
    );
    server = await startNatsServer({ storeDir: mkdtempSync(join(tmpdir(), 'gt-ext-nats-')), authorization });
    const users = JSON.parse(readFileSync(join(town.home, 'nats', 'users.json'), 'utf8'));
    await town.up(['--http-port', '0'], {
      GT_NATS_URL: server.url,
      GT_NATS_USER: 'service',
      GT_NATS_PASSWORD: users.service,
    });
  }, 60_000);
  afterAll(async () => {
    await runner?.stop();
    await town.destroy();
    await server.stop();
    rmSync(repo, { recursive: true, force: true });
  });

  it('runs a polecat to done with every process on its own user', async () => {
    const script =
      'echo "$GT_NATS_USER" > who.txt && git add who.txt && git -c user.email=p@e -c user.name=p commit -qm who && gt done';
    await town.json('gt', [
      'rig',
      'add',
      'alpha',
      '--prefix',
      'al',
      '--repo',
      repo,
      '--merge',
      'local',
      '--command',
      script,
    ]);
    runner = await RunnerProcess.start(town, 'alpha', ['--nats', server.url]);
    const bead = await town.json<{ id: string }>('bd', ['create', 'who am i', '--rig', 'alpha']);
    await town.json('gt', ['sling', bead.id]);
    await waitFor(
      async () =>
        (await town.json<Array<{ status: string }>>('bd', ['show', bead.id]))[0]?.status === 'closed',
      20_000,
      () => runner?.output ?? '',
    );
    const who = execFileSync('git', ['-C', repo, 'show', `polecat/Toast/${bead.id}:who.txt`], {
      encoding: 'utf8',
    });
    expect(who.trim()).toBe('agent:alpha/Toast');
  }, 60_000);
});
