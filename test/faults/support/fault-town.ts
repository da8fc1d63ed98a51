import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { freePort, type NatsServerProcess, startNatsServer } from '../../../src/bus/nats-server-process.ts';
import { RunnerProcess } from '../../e2e/runner-process.ts';
import { Town } from '../../e2e/town.ts';
import { writePolecatScript } from './polecat-script.ts';
import { MaybeApplied, Refused, TestSession } from './test-session.ts';

/**
 * A nats-server the test owns (GT_NATS_URL / `--nats`), so it can be stopped and started again
 * on the same port and store directory while services, runners and polecats keep their URL.
 */
export class ExternalNats {
  private server: NatsServerProcess | null = null;
  readonly port: number;
  readonly storeDir: string;

  private constructor(port: number, storeDir: string) {
    this.port = port;
    this.storeDir = storeDir;
  }

  static async start(storeDir: string): Promise<ExternalNats> {
    const nats = new ExternalNats(await freePort(), storeDir);
    await nats.restart();
    return nats;
  }

  get running(): boolean {
    return this.server !== null;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = null;
  }

  async restart(): Promise<void> {
    await this.stop();
    this.server = await startNatsServer({ storeDir: this.storeDir, port: this.port });
  }
}

/** The NATS a fault town runs on: one server (ExternalNats) or a cluster (test/support/nats-cluster.ts). */
export interface FaultNats {
  /** What services, runners and polecats connect to (a comma-separated list for a cluster). */
  readonly url: string;
  readonly running: boolean;
  /** Brings back whatever is down. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface Rig {
  name: string;
  repo: string;
}

type Bead = { id: string; status: string; labels: string[]; close_reason: string | null };
type Mail = { id: string; subject: string };

/** What an audit of a finished run found; every count but `retriedDones`/`mailDuplicates` must be 0. */
export interface Audit {
  lost: string[];
  dispatchedTwice: string[];
  mailLost: string[];
  /** Mail stored twice because a send was retried after its reply was lost (at-least-once client). */
  mailDuplicates: number;
  /** `gt done` calls retried after a lost reply, answered "nothing on its hook". */
  retriedDones: number;
  /** Polecat `gt` calls that found no service (exit 3) and were retried: the faults were felt. */
  unreachableRetries: number;
  /** Witness respawns recorded on the beads (a polecat that died is started again: not a double dispatch). */
  respawns: number;
}

/**
 * A town for fault runs: `gt up` (one or more replicas) on an external NATS, rigs on real git
 * repositories whose polecats run the retrying shell script, one `gt rig run` per rig, and an
 * API session for the test's own calls that waits out the service's absences.
 */
export class FaultTown {
  readonly replicas: Town[];
  readonly rigs: Rig[] = [];
  readonly runners: RunnerProcess[] = [];
  private session: TestSession | null = null;

  readonly nats: FaultNats;
  readonly upArgs: string[];
  readonly serviceEnv: Record<string, string>;

  private constructor(
    nats: FaultNats,
    upArgs: string[],
    serviceEnv: Record<string, string>,
    replicas: number,
  ) {
    this.nats = nats;
    this.upArgs = upArgs;
    this.serviceEnv = serviceEnv;
    this.replicas = Array.from({ length: replicas }, () => new Town());
  }

  get town(): Town {
    return this.replicas[0] as Town;
  }

  static async start(
    options: {
      ledger?: string;
      env?: Record<string, string>;
      replicas?: number;
      /** Starts the NATS the town uses, its store under `dir` (default: one ExternalNats). */
      nats?: (dir: string) => Promise<FaultNats>;
    } = {},
  ): Promise<FaultTown> {
    const probe = new Town();
    const nats = await (options.nats ?? ExternalNats.start)(join(probe.home, 'external-nats'));
    const args = [
      '--http-port',
      '0',
      '--nats',
      nats.url,
      ...(options.ledger ? ['--ledger', options.ledger] : []),
    ];
    const env = { GT_LOG_LEVEL: 'warn', ...options.env };
    const ft = new FaultTown(nats, args, env, options.replicas ?? 1);
    ft.replicas[0] = probe;
    for (const town of ft.replicas) await town.up(args, env);
    ft.session = await TestSession.open(nats.url);
    return ft;
  }

  /** `gt up` of replica `i` again (after a kill), on the same home, NATS and ledger. */
  restartService(i = 0): Promise<void> {
    // A restart under full load (replicas and polecats on FerretDB, two cores) can take longer
    // than the 20 s an idle start gets.
    return (this.replicas[i] as Town).up(this.upArgs, this.serviceEnv, 90_000);
  }

  /** Runs `root words…` for the test, retrying while no service answers (killed, restarting). */
  async call<T = unknown>(
    root: 'gt' | 'bd',
    words: readonly string[],
    patienceMs = 120_000,
    answerWithinMs?: number,
  ): Promise<T> {
    const deadline = Date.now() + patienceMs;
    for (;;) {
      try {
        return await (this.session as TestSession).run<T>(root, words, answerWithinMs);
      } catch (err) {
        // No responder, a read's timeout, a disconnect: the service or NATS is away. A refusal,
        // or a write that may have been applied, is final.
        if (err instanceof Refused || err instanceof MaybeApplied || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /** Adds `count` rigs, each on a fresh git repository, running `script` (default: the retrying polecat). */
  async addRigs(count: number, slots: number, script?: string): Promise<Rig[]> {
    const command = script ?? writePolecatScript(this.town.home);
    for (let i = 0; i < count; i++) {
      const name = `r${this.rigs.length}`;
      const repo = join(this.town.home, 'repos', name);
      mkdirSync(repo, { recursive: true });
      git(repo, 'init', '-q', '-b', 'main');
      git(repo, 'commit', '-q', '--allow-empty', '-m', 'initial');
      await this.call('gt', [
        'rig',
        'add',
        name,
        '--prefix',
        name,
        '--repo',
        repo,
        '--merge',
        'local',
        '--max-polecats',
        String(slots),
        '--command',
        command,
      ]);
      this.rigs.push({ name, repo });
    }
    return this.rigs;
  }

  /** One `gt rig run` per rig (or `perRig` each, sharing the rig's dispatch queue). */
  async startRunners(perRig = 1): Promise<void> {
    for (const rig of this.rigs)
      for (let i = 0; i < perRig; i++) this.runners.push(await RunnerProcess.start(this.town, rig.name));
  }

  /**
   * `count` beads over the rigs, in waves of `width`: bead j depends on bead j − width, and every
   * third bead also on j − width − 1 (a fan-in), so each wave is fed as the previous one closes.
   * Staged and launched as one convoy; returns its id and the bead ids.
   */
  async launchConvoy(count: number, width: number): Promise<{ convoy: string; ids: string[] }> {
    const ids: string[] = [];
    for (let j = 0; j < count; j++) {
      const rig = this.rigs[j % this.rigs.length] as Rig;
      const bead = await this.call<{ id: string }>('bd', ['create', `fault bead ${j}`, '--rig', rig.name]);
      if (j >= width) await this.call('bd', ['dep', 'add', bead.id, ids[j - width] as string]);
      if (j > width && j % 3 === 0)
        await this.call('bd', ['dep', 'add', bead.id, ids[j - width - 1] as string]);
      ids.push(bead.id);
    }
    // Staging and launching 200 beads on FerretDB (compat mode, three replicas) takes longer than
    // the 30 s a single command gets.
    const staged = await this.call<{ convoy_id: string }>(
      'gt',
      ['convoy', 'stage', ...ids],
      120_000,
      120_000,
    );
    // --force: the warnings (cross-rig fan-in, waves wider than the slots) are the point here.
    await this.call('gt', ['convoy', 'launch', staged.convoy_id, '--force'], 120_000, 120_000);
    return { convoy: staged.convoy_id, ids };
  }

  async convoyStatus(convoy: string): Promise<{ status: string; completed: number; total: number }> {
    return this.call('gt', ['convoy', 'status', convoy]);
  }

  /** Polls until the convoy landed; fails with its progress and the logs after `timeoutMs`. */
  async waitLanded(convoy: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = { status: '', completed: 0, total: 0 };
    while (Date.now() < deadline) {
      last = await this.convoyStatus(convoy);
      if (last.status === 'closed') return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(
      `convoy ${convoy} did not land in ${timeoutMs} ms: ${JSON.stringify(last)}\n${this.logs()}`,
    );
  }

  /** Polecats spawned per bead, from the runners' "spawned <agent> for <bead>" lines. */
  spawnCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.runners)
      for (const m of r.output.matchAll(/spawned \S+ for (\S+) /g))
        counts.set(m[1] as string, (counts.get(m[1] as string) ?? 0) + 1);
    return counts;
  }

  /**
   * The end-of-run audit. Lost: a bead not closed by its polecat, or without the polecat's
   * commit on a `polecat/…/<bead>` branch. Dispatched twice: more polecats spawned for a bead than
   * 1 + its recorded respawns. Mail lost: a closed bead (whose polecat only calls `gt done` after
   * its mail was acknowledged) with no "<bead> done" mail in the mayor's ledger inbox, or a stored
   * mail that never reached the JetStream mail stream.
   */
  async audit(ids: readonly string[]): Promise<Audit> {
    // In slices: `bd show` of 200 beads on FerretDB (compat mode) took longer than a command's 30 s.
    const beads: Bead[] = [];
    for (let i = 0; i < ids.length; i += 25)
      beads.push(...(await this.call<Bead[]>('bd', ['show', ...ids.slice(i, i + 25)])));
    const commits = new Set<string>();
    for (const rig of this.rigs)
      for (const subject of git(rig.repo, 'log', '--format=%s', '--branches=polecat/*').split('\n'))
        commits.add(subject.split(':')[0] as string);
    const lost = beads
      .filter((b) => b.status !== 'closed' || !/^Done by /.test(b.close_reason ?? '') || !commits.has(b.id))
      .map((b) => b.id);
    const spawns = this.spawnCounts();
    const respawns = (b: Bead) => Number(b.labels.find((l) => l.startsWith('respawns:'))?.slice(9) ?? 0);
    const dispatchedTwice = beads.filter((b) => (spawns.get(b.id) ?? 0) > 1 + respawns(b)).map((b) => b.id);
    const inbox = await this.call<Mail[]>('gt', ['mail', 'inbox', '--agent', 'mayor/']);
    const streamed = await this.streamedMail();
    const subjects = new Map<string, number>();
    for (const m of inbox) subjects.set(m.subject, (subjects.get(m.subject) ?? 0) + 1);
    const mailLost = [
      ...beads.filter((b) => b.status === 'closed' && !subjects.has(`${b.id} done`)).map((b) => b.id),
      ...inbox.filter((m) => !streamed.has(m.id)).map((m) => `mail ${m.id}`),
    ];
    const mailDuplicates = [...subjects.values()].reduce((n, c) => n + c - 1, 0);
    const logs = this.polecatLogs();
    const retriedDones = logs.split('gt done: already done').length - 1;
    const unreachableRetries = logs.split('service unreachable, retrying').length - 1;
    const respawned = beads.reduce((n, b) => n + respawns(b), 0);
    return {
      lost,
      dispatchedTwice,
      mailLost,
      mailDuplicates,
      retriedDones,
      unreachableRetries,
      respawns: respawned,
    };
  }

  /** How many times each mail id is on the mayor's JetStream subject (1 each: the stream dedups by id). */
  async streamedMail(): Promise<Map<string, number>> {
    const jsm = await jetstreamManager((this.session as TestSession).nc);
    const ids = new Map<string, number>();
    const { state } = await jsm.streams.info('GT_MAIL');
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
      const msg = await jsm.streams.getMessage('GT_MAIL', { seq }).catch(() => null);
      const id = msg?.subject === 'gt.mail.town.mayor' ? msg.json<{ id: string }>().id : null;
      if (id) ids.set(id, (ids.get(id) ?? 0) + 1);
    }
    return ids;
  }

  /** The test's own NATS connection (it reconnects through every outage). */
  get nc(): TestSession['nc'] {
    return (this.session as TestSession).nc;
  }

  /** Every polecat's log (the runner writes them under $GT_HOME/logs/<rig>/). */
  polecatLogs(): string {
    try {
      return execFileSync('sh', ['-c', `cat ${join(this.town.home, 'logs')}/*/*.log 2>/dev/null || true`], {
        encoding: 'utf8',
        maxBuffer: 64 * 2 ** 20,
      });
    } catch {
      return '';
    }
  }

  /** Every service's, runner's and polecat's whole log into `dir` (GT_FAULTS_LOG_DIR). */
  saveLogs(dir: string): void {
    mkdirSync(dir, { recursive: true });
    for (const [i, t] of this.replicas.entries())
      writeFileSync(join(dir, `service${i}.log`), t.serviceOutput);
    for (const [i, r] of this.runners.entries()) writeFileSync(join(dir, `runner${i}.log`), r.output);
    writeFileSync(join(dir, 'polecats.log'), this.polecatLogs());
  }

  logs(): string {
    const tail = (s: string) => s.slice(-6000);
    return [
      ...this.replicas.map((t, i) => `--- service ${i}:\n${tail(t.serviceOutput)}`),
      ...this.runners.map((r, i) => `--- runner ${i}:\n${tail(r.output)}`),
    ].join('\n');
  }

  /**
   * Stops everything, each step bounded: a runner that overruns its own shutdown deadline
   * (GT_SHUTDOWN_DEADLINE_MS, 10 s) is killed and its log tail printed, so one hung step can
   * neither hang the test run nor leave service replicas behind. Returns what overran.
   */
  async destroy(): Promise<string[]> {
    const overran: string[] = [];
    // A test that failed mid-outage: runners drain their consumers on the way out, through NATS.
    if (!this.nats.running) await this.nats.restart();
    for (const [i, r] of this.runners.entries())
      if (!(await r.stop('SIGTERM', 30_000))) overran.push(`runner ${i}:\n${r.output.slice(-3000)}`);
    const closed = await Promise.race([
      this.session?.close().then(
        () => true,
        () => true,
      ) ?? true,
      new Promise<false>((r) => setTimeout(() => r(false), 10_000).unref()),
    ]);
    if (!closed) overran.push('the test session did not close in 10 s');
    for (const town of this.replicas.slice(1)) await town.destroy();
    const home = this.town.home;
    await this.town.down();
    await this.nats.stop();
    rmSync(home, { recursive: true, force: true });
    for (const what of overran) process.stderr.write(`fault town teardown overran: ${what}\n`);
    return overran;
  }
}

function git(repo: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=fault', '-c', 'user.email=fault@invalid', ...args], {
    cwd: repo,
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
}
