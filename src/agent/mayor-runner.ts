import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { FormulaCatalog } from '../commands/command.ts';
import { MAYOR } from '../domain/agent-address.ts';
import type { Bead } from '../domain/bead.ts';
import { MAYOR_BEAD, type MayorConfig, mayorCommand, parseMayorConfig } from '../domain/mayor-config.ts';
import { renderMayorPrompt } from '../domain/mayor-prompt.ts';
import { isPlan, PLAN_LABEL, planFacts, roundChange } from '../domain/plan.ts';
import { polecatEnv } from '../domain/polecat-env.ts';
import type { Reply } from '../domain/reply.ts';
import type { Ledger } from '../ledger/port.ts';
import { mayorPromptFacts } from './mayor-facts.ts';
import { type PolecatProcess, startPolecat } from './polecat-process.ts';

export interface MayorRunnerOptions {
  ledger: Ledger;
  /** Runs a verb as the runner's system actor (`gt plan stop` when a round ends badly). */
  execute: (verb: string, args: Record<string, unknown>) => Promise<Reply>;
  formulas?: FormulaCatalog;
  home: string;
  natsUrl: string;
  prefix: string;
  binDir: string;
  /** The Mayor's own NATS login (null: the town's NATS asks for none). */
  login: { user: string; password: string } | null;
  /** Only the leading replica runs the Mayor: one planning round in the town at a time. */
  leading: () => boolean;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  now?: () => Date;
  pollMs?: number;
  /** The service's environment: the only source of the variables the Mayor may see. */
  env?: NodeJS.ProcessEnv;
}

/** The reviewable prompt template (docs/plans.md says what it tells the Mayor). */
export const MAYOR_PROMPT_TEMPLATE = resolve(import.meta.dirname, '../../config/mayor/prompt.md');
const RUNNER = 'mayor-runner';

interface Round {
  plan: string;
  round: number;
  process: PolecatProcess;
  startedMs: number;
  timeoutS: number;
  log: string;
  timedOut: boolean;
}

/**
 * Runs the town's Mayor, one planning round at a time, on the leading replica: takes the oldest
 * queued plan (a compare-and-swap onto the Mayor's hook, starting a new round), writes its
 * prompt, and starts the configured command in the Mayor's workspace with the Mayor's identity
 * and nothing of the service's secrets (the polecats' allow-list). The Mayor ends the round with
 * `gt done`. A Mayor that exits without it, runs out of time, or loses its plan (stopped or
 * discarded by a person) is stopped, and the round is ended with `gt plan stop` — what it made
 * is closed and the plan's card says why. A plan found on the Mayor's hook with no process here
 * (the service stopped or crashed mid-round) starts over: `gt plan stop --requeue`.
 */
export class MayorRunner {
  private readonly o: MayorRunnerOptions;
  private current: Round | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private again = false;
  private stopping = false;

  constructor(options: MayorRunnerOptions) {
    this.o = options;
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), this.o.pollMs ?? 1_000);
    this.kick();
  }

  /** Looks at once (a plan was just asked for or revised); runs after the pass underway, if any. */
  kick(): void {
    if (this.ticking !== null) {
      this.again = true;
      return;
    }
    this.ticking = this.tick()
      .catch((err: unknown) => this.o.log.warn({ err }, 'mayor runner pass failed; retrying'))
      .finally(() => {
        this.ticking = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  async stop(): Promise<void> {
    // A round cut short by the service stopping is not the Mayor's failure: its plan stays on the
    // Mayor's hook, and whichever replica leads next starts it over.
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    const r = this.current;
    if (r) {
      r.process.stop();
      await r.process.exited;
    }
  }

  private async tick(): Promise<void> {
    if (this.current) return this.watch(this.current);
    if (!this.o.leading()) return;
    const ledger = this.o.ledger;
    const hooked = (await ledger.listBeads({ assignee: MAYOR, status: ['hooked', 'in_progress'] })).filter(
      isPlan,
    );
    for (const orphan of hooked) await this.requeue(orphan.id);
    const queued = (await ledger.listBeads({ issue_type: 'decision', label: `${PLAN_LABEL}-state:queued` }))
      .filter(isPlan)
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
    const next = queued[0];
    if (next) await this.begin(next);
  }

  /** A running round: stopped when no longer leading, over time, or no longer on the Mayor's hook. */
  private async watch(r: Round): Promise<void> {
    const plan = await this.o.ledger.getBead(r.plan);
    const ours = plan?.assignee === MAYOR && (plan.status === 'hooked' || plan.status === 'in_progress');
    const overTime = this.now().getTime() - r.startedMs > r.timeoutS * 1000;
    if (overTime) r.timedOut = true;
    if (!ours || overTime || !this.o.leading()) r.process.stop();
  }

  private async begin(plan: Bead): Promise<void> {
    const ledger = this.o.ledger;
    const config = parseMayorConfig(await ledger.getBead(MAYOR_BEAD));
    const command = mayorCommand(config);
    if (!command) {
      await this.endRound(plan.id, 'this town has no Mayor set up any more (gt mayor config)', false);
      return;
    }
    const round = planFacts(plan).round + 1;
    const now = this.now();
    const claimed = await ledger.claimBead(
      plan.id,
      {
        expect: { status: plan.status, assignee: plan.assignee, version: plan.version },
        set: { status: 'hooked', assignee: MAYOR, ...roundChange(plan.labels, round, now.toISOString()) },
      },
      { actor: RUNNER, now },
    );
    if (!claimed) return; // revised or discarded meanwhile: the next pass looks again
    this.spawn(claimed, command, config as MayorConfig, await this.promptFor(claimed));
  }

  private async promptFor(plan: Bead): Promise<string> {
    const facts = await mayorPromptFacts(this.o.ledger, this.o.formulas, plan);
    return renderMayorPrompt(readFileSync(MAYOR_PROMPT_TEMPLATE, 'utf8'), facts);
  }

  private spawn(plan: Bead, command: string, config: MayorConfig, prompt: string): void {
    const { home } = this.o;
    const round = planFacts(plan).round;
    const slug = `${plan.id}-r${round}`;
    const workspace = join(home, 'mayor');
    mkdirSync(workspace, { recursive: true, mode: 0o700 });
    const promptFile = join(home, 'prompts', 'mayor', `${slug}.md`);
    mkdirSync(dirname(promptFile), { recursive: true, mode: 0o700 });
    writeFileSync(promptFile, prompt, { mode: 0o600 });
    chmodSync(promptFile, 0o600);
    const env = polecatEnv({
      runnerEnv: this.o.env ?? process.env,
      named: config.env,
      binDir: this.o.binDir,
      own: {
        ...(this.o.login && { GT_NATS_USER: this.o.login.user, GT_NATS_PASSWORD: this.o.login.password }),
        GT_AGENT: MAYOR,
        GT_BEAD: plan.id,
        GT_NATS_URL: this.o.natsUrl,
        GT_HOME: home,
        GT_PROMPT_FILE: promptFile,
        GT_SUBJECT_PREFIX: this.o.prefix,
      },
    });
    const log = join(home, 'logs', 'mayor', `${slug}.log`);
    const child = startPolecat(command, workspace, env, log);
    const r: Round = {
      plan: plan.id,
      round,
      process: child,
      startedMs: this.now().getTime(),
      timeoutS: config.timeoutS,
      log,
      timedOut: false,
    };
    this.current = r;
    this.o.log.info({ plan: plan.id, round, pid: child.pid }, 'the Mayor is planning');
    void child.exited.then(async ({ code, signal }) => {
      if (this.stopping) return;
      const why = r.timedOut
        ? `the Mayor ran out of time (${r.timeoutS} s); its log: ${log}`
        : `the Mayor exited (code ${code}${signal ? `, ${signal}` : ''}) without gt done; its log: ${log}`;
      await this.endRound(r.plan, why, true, r.round).catch((err: unknown) =>
        this.o.log.warn({ err, plan: r.plan }, 'could not end the Mayor’s round; the next pass retries'),
      );
      this.current = null;
      this.kick();
    });
  }

  /** A round no process runs any more (a restart cut it short): closed, and planned again from the start. */
  private async requeue(id: string): Promise<void> {
    const reply = await this.o.execute('gt plan stop', {
      id,
      reason: 'the service restarted during the round',
      requeue: true,
    });
    if (!reply.ok) throw new Error(reply.error.message);
    this.o.log.warn({ plan: id }, 'planning round interrupted by a restart: planning it again');
  }

  /** Ends a round still on the Mayor's hook (and of this round, when given) as failed. */
  private async endRound(id: string, why: string, onlyIfHooked = true, round?: number): Promise<void> {
    const plan = await this.o.ledger.getBead(id);
    if (!plan || plan.status === 'closed') return;
    const hooked = plan.assignee === MAYOR && (plan.status === 'hooked' || plan.status === 'in_progress');
    if (onlyIfHooked && (!hooked || (round !== undefined && planFacts(plan).round !== round))) return;
    const reply = await this.o.execute('gt plan stop', { id, reason: why });
    if (!reply.ok) throw new Error(reply.error.message);
    this.o.log.warn({ plan: id, why }, 'planning round ended without a plan');
  }

  private now(): Date {
    return (this.o.now ?? (() => new Date()))();
  }
}
