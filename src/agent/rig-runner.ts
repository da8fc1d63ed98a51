import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type JsMsg, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { callApi } from '../bus/api-client.ts';
import { processAlive } from '../bus/child-process.ts';
import { consumeDurable } from '../bus/durable-consumer.ts';
import { dispatchStream, dispatchSubject } from '../bus/streams.ts';
import { actorOf, controlSubject, type StopOrder } from '../bus/subjects.ts';
import { traceparentIn } from '../bus/trace-headers.ts';
import { inSpan, traceEnv } from '../bus/tracing.ts';
import type { Bead } from '../domain/bead.ts';
import { polecatNice } from '../domain/cpu-priority.ts';
import type { HookPrompt, HookView } from '../domain/hook.ts';
import { polecatEnv } from '../domain/polecat-env.ts';
import type { Rig } from '../domain/rig.ts';
import { limitFromExit, parserFor } from '../domain/runtimes/index.ts';
import type { LimitEvent } from '../domain/runtimes/limit-text.ts';
import { polecatNames } from '../domain/sling.ts';
import { incarnationOf } from '../domain/usage-limit-requeues.ts';
import { type Liveness, LivenessReporter } from './liveness.ts';
import { type PolecatProcess, startPolecat } from './polecat-process.ts';
import { promptText, writePrompt } from './polecat-prompt.ts';
import { PolecatOutput } from './usage-reporter.ts';
import { createWorktree, removeWorktree, uncommittedFiles } from './worktree.ts';

export interface RunnerOptions {
  nc: NatsConnection;
  natsUrl: string;
  prefix: string;
  rig: Rig;
  command: string;
  home: string;
  maxPolecats: number;
  /** Directory holding `gt` and `bd` shims, put first on each polecat's PATH. */
  binDir: string;
  /** NATS credentials per polecat slot name (a runner's credentials file); none = polecats find their own. */
  polecatCredentials?: Record<string, { user: string; password: string }> | undefined;
  log: (msg: string) => void;
}

const LIVENESS_INTERVAL_MS = 5_000;
/** How long a stopping runner waits for its polecats' last usage reports. */
const FINAL_REPORTS_MS = 10_000;

interface DispatchMessage {
  bead_id: string;
  rig: string;
  polecat: string;
  claim_seq?: number;
}

/** A polecat process this runner started, and the claim it was started for. */
interface Running {
  process: PolecatProcess;
  agent: string;
  claimSeq: number;
  incarnation: number;
}

type Hook = Pick<HookView, 'bead' | 'prompt'>;

/**
 * `gt rig run`: takes the rig's dispatch queue (runners of one rig share it), and for each
 * dispatched bead creates the polecat's worktree on `polecat/<name>/<bead>`, writes its prompt,
 * and starts the rig's command there with the polecat's identity in its environment. A dispatch
 * whose bead is no longer hooked to that polecat (re-slung, closed) is dropped. When full, the
 * message is returned to the queue for later.
 */
export class RigRunner {
  private readonly o: RunnerOptions;
  private readonly running = new Map<string, Running>();
  /** Worktree clean-up after an exit, per bead: a respawn waits for it before reusing the path. */
  private readonly cleanups = new Map<string, Promise<void>>();
  /** Exited polecats' last usage reports still being sent. */
  private readonly finalReports = new Set<Promise<void>>();
  private stopConsumer: (() => Promise<void>) | null = null;
  private step = 'not stopping';
  private control: Subscription | null = null;
  private liveness: LivenessReporter | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private readonly watchers: NodeJS.Timeout[] = [];

  constructor(options: RunnerOptions) {
    this.o = options;
  }

  async start(): Promise<void> {
    const { nc, prefix, rig } = this.o;
    // The service created the streams; a runner (confined to its queue) only uses them.
    const jsm = await jetstreamManager(nc);
    this.liveness = await LivenessReporter.open(nc, prefix);
    await this.accountForPrevious();
    this.control = nc.subscribe(controlSubject(prefix, rig.name), {
      callback: (err, msg) => {
        if (!err) this.onStopOrder(msg.json<StopOrder>());
      },
    });
    // Periodic reports carry the output-activity signal; spawn and exit are reported at once.
    this.ticker = setInterval(() => {
      for (const [bead, r] of this.running) void this.report(r, bead, null);
    }, LIVENESS_INTERVAL_MS);
    this.stopConsumer = await consumeDurable(
      nc,
      jsm,
      dispatchStream(prefix),
      `runner-${rig.name}`,
      dispatchSubject(prefix, rig.name),
      (msg) => this.handle(msg),
      (err) => this.o.log(`dispatch not started yet: ${(err as Error).message}`),
    );
  }

  private async handle(msg: JsMsg): Promise<void> {
    const dispatch = msg.json<DispatchMessage>();
    const current = this.running.get(dispatch.bead_id);
    if (current && current.claimSeq >= (dispatch.claim_seq ?? 0)) return; // a duplicate of what already runs
    // A newer claim of a bead this runner runs (a respawn, a reassignment): the old process goes first.
    if (current) await this.stopProcess(current);
    if (this.running.size >= this.o.maxPolecats)
      throw new Error(`at capacity (${this.o.maxPolecats}); will retry`);
    const { bead, prompt } = await this.hookOf(dispatch.polecat);
    if (bead?.id !== dispatch.bead_id || !prompt) {
      this.o.log(`dropped stale dispatch of ${dispatch.bead_id} to ${dispatch.polecat}`);
      return;
    }
    // The dispatch's trace: a span for the start, whose context the polecat gets as TRACEPARENT.
    const attributes = { 'gt.bead': dispatch.bead_id, 'gt.agent': dispatch.polecat };
    await inSpan('polecat start', { attributes }, () =>
      this.spawn(dispatch, bead, prompt, traceparentIn(msg.headers)),
    );
  }

  private async hookOf(polecat: string): Promise<Hook> {
    return (await this.call('gt hook', { agent: polecat })) as Hook;
  }

  /** One verb of the service, as this rig's runner. */
  private async call(verb: string, args: Record<string, unknown>): Promise<unknown> {
    const actor = actorOf({ kind: 'runner', rig: this.o.rig.name });
    const reply = await callApi(this.o.nc, this.o.prefix, { verb, args, actor });
    if (!reply.ok) throw new Error(reply.error.message);
    return reply.data;
  }

  /**
   * The reader of one polecat's output: the rig's preset parser, its usage reported to the
   * service (`gt usage report`) as it streams. A `--command` rig's output is not read.
   */
  private outputReader(agent: string, bead: string, startedAt: string): PolecatOutput | null {
    const { rig } = this.o;
    const parser = rig.command ? null : parserFor(rig.runtime, { now: () => new Date() });
    if (!parser) return null;
    return new PolecatOutput({
      parser,
      owner: { bead, agent, rig: rig.name },
      ownSession: `${agent}@${startedAt}`,
      send: async (args) => {
        await this.call('gt usage report', args);
      },
      log: this.o.log,
    });
  }

  private async spawn(
    dispatch: DispatchMessage,
    bead: Bead,
    prompt: HookPrompt,
    trace?: string,
  ): Promise<void> {
    const { home, rig } = this.o;
    const name = dispatch.polecat.split('/').pop() as string;
    const slug = `${name}-${bead.id}`;
    const worktree = join(home, 'worktrees', rig.name, slug);
    mkdirSync(join(home, 'worktrees', rig.name), { recursive: true });
    await this.cleanups.get(bead.id);
    await createWorktree(rig.repo as string, worktree, prompt.branch, prompt.start_from ?? 'HEAD');
    const promptFile = join(home, 'prompts', rig.name, `${slug}.md`);
    writePrompt(promptFile, promptText(bead.id, prompt));
    // An allow-list, never a copy of this process's environment: that holds the runner's own
    // NATS login and, on a machine shared with the service, its chat tokens and ledger URL.
    const env = polecatEnv({
      runnerEnv: process.env,
      named: rig.env,
      binDir: this.o.binDir,
      own: {
        ...this.polecatLogin(name),
        GT_AGENT: dispatch.polecat,
        GT_RIG: rig.name,
        GT_BEAD: bead.id,
        GT_BRANCH: prompt.branch,
        GT_NATS_URL: this.o.natsUrl,
        GT_HOME: home,
        GT_PROMPT_FILE: promptFile,
        GT_SUBJECT_PREFIX: this.o.prefix,
        ...traceEnv(trace),
        // startPolecat reads its niceness from the environment it is given.
        GT_POLECAT_NICE: String(polecatNice(process.env)),
        // The convoy's remaining budget: a preset with a budget flag caps the run there (preset.ts budgetArg).
        ...(prompt.budget_remaining_usd !== null &&
          prompt.budget_remaining_usd !== undefined && {
            GT_BUDGET_USD: String(prompt.budget_remaining_usd),
          }),
      },
    });
    const output = this.outputReader(dispatch.polecat, bead.id, new Date().toISOString());
    const polecat = startPolecat(this.o.command, worktree, env, join(home, 'logs', rig.name, `${slug}.log`), {
      ...(output && { onOutput: (chunk: string) => output.push(chunk) }),
    });
    const running: Running = {
      process: polecat,
      agent: dispatch.polecat,
      claimSeq: dispatch.claim_seq ?? 0,
      incarnation: incarnationOf(bead),
    };
    this.running.set(bead.id, running);
    await this.report(running, bead.id, null);
    this.o.log(`spawned ${dispatch.polecat} for ${bead.id} (pid ${polecat.pid}) in ${worktree}`);
    const cleanup = polecat.exited.then(async ({ code, signal }) => {
      if (this.running.get(bead.id) === running) this.running.delete(bead.id);
      if (output) this.track(output.end()); // its last usage reports
      const limit = output ? (output.limit ?? limitFromExit(rig.runtime, code)) : null;
      if (limit) await this.reportLimit(running, bead.id, limit);
      const uncommitted = await uncommittedFiles(worktree);
      await this.report(
        running,
        bead.id,
        { code, signal },
        {
          ...(uncommitted > 0 && { uncommitted, worktree }),
          ...(limit && { limit: { reset_at: limit.reset_at, message: limit.message } }),
        },
      );
      if (uncommitted === 0) await removeWorktree(rig.repo as string, worktree);
      this.o.log(
        `${dispatch.polecat} exited (code ${code}${signal ? `, ${signal}` : ''}); ${
          uncommitted > 0 ? `worktree kept: ${uncommitted} uncommitted file(s)` : 'worktree removed'
        }, branch ${prompt.branch} kept`,
      );
    });
    this.cleanups.set(bead.id, cleanup);
    void cleanup.finally(() => {
      if (this.cleanups.get(bead.id) === cleanup) this.cleanups.delete(bead.id);
    });
  }

  /**
   * The usage-limited verdict (`gt polecat limited`), asked for BEFORE the exit is reported: until
   * then the witness sees the process as alive, so it can never take a limit for a crash and
   * respawn into the same wall. If the call fails, the exit report still carries the limit and
   * the witness asks for the same verdict (domain/witness-policy.ts).
   */
  private async reportLimit(r: Running, bead: string, limit: LimitEvent): Promise<void> {
    try {
      await this.call('gt polecat limited', {
        agent: r.agent,
        bead,
        message: limit.message || 'usage limit (the agent gave no message)',
        incarnation: String(r.incarnation),
        ...(limit.reset_at && { 'reset-at': limit.reset_at }),
      });
      this.o.log(`${r.agent} hit a usage limit on ${bead}: back to the queue, rig paused (${limit.message})`);
    } catch (err) {
      this.o.log(
        `usage limit of ${r.agent} on ${bead} not recorded: ${(err as Error).message}; the witness will`,
      );
    }
  }

  private track(reports: Promise<void>): void {
    this.finalReports.add(reports);
    void reports.finally(() => this.finalReports.delete(reports));
  }

  /** The slot's own NATS user: a polecat never runs with the runner's rights. */
  private polecatLogin(name: string): Record<string, string> {
    const own = this.o.polecatCredentials?.[name];
    return own ? { GT_NATS_USER: own.user, GT_NATS_PASSWORD: own.password } : {};
  }

  /** Stops one process and waits for it (its exit handler reports and cleans up). */
  private async stopProcess(r: Running): Promise<void> {
    r.process.stop();
    await r.process.exited;
  }

  /** `gt.control.<rig>` stop orders: whichever runner runs that agent on that bead stops it. */
  private onStopOrder(order: StopOrder): void {
    const r = this.running.get(order.bead);
    if (r?.agent !== order.stop) return;
    this.o.log(`stopping ${order.stop} on ${order.bead} (ordered)`);
    void this.stopProcess(r);
  }

  /**
   * After a restart: polecats a previous runner started may still run (they are their own
   * process groups). A live one is watched until it exits; a gone one is reported exited with an
   * unknown code. Either way the witness sees the truth instead of a stale "alive".
   */
  private async accountForPrevious(): Promise<void> {
    const { rig } = this.o;
    // Its polecats can only hold the rig's slot names (what `gt sling` hands out).
    for (const previous of (await this.liveness?.aliveIn(rig.name, polecatNames(rig.max_polecats))) ?? []) {
      const gone = async () =>
        this.liveness?.report({
          ...previous,
          alive: false,
          exit_code: null,
          signal: null,
          reported_at: new Date().toISOString(),
        });
      if (!processAlive(previous.pid)) {
        await gone();
        this.o.log(
          `${previous.agent} (pid ${previous.pid}) ended while no runner watched; exit code unknown`,
        );
        continue;
      }
      this.o.log(`re-adopted ${previous.agent} (pid ${previous.pid}) working on ${previous.bead}`);
      const watch = setInterval(() => {
        if (processAlive(previous.pid)) return;
        clearInterval(watch);
        void gone();
      }, 1000);
      this.watchers.push(watch);
    }
  }

  private async report(
    r: Running,
    bead: string,
    exit: { code: number | null; signal: NodeJS.Signals | null } | null,
    leftovers: Pick<Liveness, 'uncommitted' | 'worktree' | 'limit'> = {},
  ): Promise<void> {
    const entry: Liveness = {
      agent: r.agent,
      rig: this.o.rig.name,
      bead,
      pid: r.process.pid,
      alive: exit === null,
      exit_code: exit?.code ?? null,
      signal: exit?.signal ?? null,
      started_at: r.process.startedAt,
      output_at: r.process.lastOutputAt(),
      reported_at: new Date().toISOString(),
      incarnation: r.incarnation,
      ...leftovers,
    };
    await this.liveness
      ?.report(entry)
      .catch((err: Error) => this.o.log(`liveness report failed: ${err.message}`));
  }

  /** Where `stop()` is: what a shutdown that overran its deadline names. */
  get stopStep(): string {
    return this.step;
  }

  /** Stops taking work and stops every polecat this runner started. */
  async stop(): Promise<void> {
    this.step = 'closing the dispatch consumer';
    await this.stopConsumer?.();
    if (this.ticker) clearInterval(this.ticker);
    for (const watch of this.watchers) clearInterval(watch);
    this.control?.unsubscribe();
    this.step = `stopping ${this.running.size} polecats`;
    await Promise.all([...this.running.values()].map((r) => this.stopProcess(r)));
    // Their exit handlers send the last usage reports: give those a bounded moment.
    this.step = 'sending the last usage reports';
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.cleanups.values()]).then(() => Promise.allSettled([...this.finalReports])),
      new Promise((done) => {
        timer = setTimeout(done, FINAL_REPORTS_MS);
      }),
    ]);
    clearTimeout(timer);
  }
}
