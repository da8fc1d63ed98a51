import type { NatsConnection } from '@nats-io/transport-node';
import type { CommandRegistry } from '../commands/registry.ts';
import type { Actor } from '../domain/actor.ts';
import type { Thresholds } from '../domain/witness.ts';
import type { StallMemory } from '../domain/witness-policy.ts';
import type { Ledger } from '../ledger/port.ts';
import { relayMark } from '../services/event-relay.ts';
import { compactHistory } from '../services/history-compaction.ts';
import { LeaderLease } from '../services/leader-lease.ts';
import { liftDuePauses } from '../services/limit-lift.ts';
import { reescalate } from '../services/reescalation.ts';
import { watchRefineries } from '../services/refinery/refinery-watch.ts';
import { type Job, Scheduler } from '../services/scheduler.ts';
import { type Execute, strandedScan } from '../services/stranded-scan.ts';
import { openDueTimerGates } from '../services/timer-gates.ts';
import { witnessPass } from '../services/witness.ts';
import type { ServiceConfig } from './config.ts';
import { openLiveSignals } from './live-signals.ts';
import type { Logger } from './logger.ts';

/** Each job acts as its own system actor, so the audit says which job did what. */
const actor = (id: string): Actor => ({ kind: 'system', id });

/**
 * The cron side of the service: take (or wait for) the leader lease, then run the stranded scan,
 * the witness, re-escalation, the timer gates and the history compaction on their intervals — only while leading, each
 * command carrying the lease's fencing token in its audit source. One stranded scan runs the
 * moment this replica leads (Gas Town waits up to 30 s; a crash's leftovers should not).
 */
export async function startCronJobs(
  nc: NatsConnection,
  ledger: Ledger,
  registry: CommandRegistry,
  config: ServiceConfig,
  log: Logger,
  onRun: (job: string, ok: boolean, seconds: number) => void = () => {},
): Promise<{ stop: () => Promise<void>; lease: LeaderLease; scheduler: Scheduler }> {
  const lease = await LeaderLease.open(
    nc,
    config.subjectPrefix,
    `${process.pid}@${config.home}`,
    config.leaseTtlMs,
    log,
    config.natsReplicas,
  );
  const signals = await openLiveSignals(nc, config.subjectPrefix, config.natsReplicas);
  const scheduler = new Scheduler(() => lease.token(), log, onRun);
  const executeAs =
    (who: string, token: number): Execute =>
    (verb, args) =>
      registry.execute({ verb, args, actor: actor(who), source: 'cron', via: `lease=${token}` });
  const thresholds: Thresholds = {
    spawnGraceMs: config.spawnGraceS * 1000,
    stallMs: config.heartbeatStaleS * 1000,
    maxRespawns: config.maxRespawns,
  };
  const stranded: Job = {
    name: 'stranded-scan',
    everySeconds: config.strandedIntervalS,
    run: async (token) => {
      const deps = {
        ledger,
        execute: executeAs('stranded-scan', token),
        observe: signals.observe,
        staleMs: thresholds.stallMs,
        spawnGraceMs: thresholds.spawnGraceMs,
        maxRespawns: thresholds.maxRespawns,
      };
      const s = await strandedScan(deps, new Date());
      if (s.dispatched.length || s.released.length || s.escalated.length || s.landed.length || s.stuck.length)
        log.info({ ...s, token }, 'stranded scan');
    },
  };
  const memory = new Map<string, StallMemory>();
  const witness: Job = {
    name: 'witness',
    everySeconds: config.witnessIntervalS,
    run: async (token) => {
      const deps = {
        ledger,
        execute: executeAs('witness', token),
        observe: signals.observe,
        thresholds,
        escalateAfterMs: config.witnessIntervalS * 1000,
        memory,
      };
      const s = await witnessPass(deps, new Date());
      if (s.actions.length || s.retired.length) log.info({ ...s, token }, 'witness pass');
      const stale = await watchRefineries(ledger, deps.execute, new Date());
      if (stale.length)
        log.warn({ stale: stale.map((m) => m.id), token }, 'merge queues: verifications overdue');
    },
  };
  const reescalation: Job = {
    name: 're-escalation',
    everySeconds: config.witnessIntervalS,
    run: async (token) => {
      const bumped = await reescalate(
        ledger,
        executeAs('re-escalation', token),
        config.escalationStaleS,
        new Date(),
      );
      if (bumped.length) log.info({ bumped, token }, 're-escalated');
    },
  };
  // Timer gates open on the witness's beat: formulas write timeouts in minutes and hours, and a
  // gate closing up to one interval late only delays what waits on it by that much.
  const timerGates: Job = {
    name: 'timer-gates',
    everySeconds: config.witnessIntervalS,
    run: async (token) => {
      const pass = await openDueTimerGates(ledger, executeAs('timer-gates', token), new Date());
      if (pass.opened.length || pass.skipped.length) log.info({ ...pass, token }, 'timer gates');
    },
  };
  // Usage-limit pauses lift on the witness's beat too: their jitter is up to a minute anyway, and
  // a sling after the pause's time goes through even before the job ran (domain/usage-limit.ts).
  const limitLift: Job = {
    name: 'usage-limit-lift',
    everySeconds: config.witnessIntervalS,
    run: async (token) => {
      const pass = await liftDuePauses(ledger, executeAs('usage-limit-lift', token), new Date());
      if (pass.lifted.length || pass.retired.length || pass.skipped.length)
        log.info({ ...pass, token }, 'usage-limit pauses');
    },
  };
  // Retention (domain/retention.ts): old events and audit records go, never an event the relay
  // has not published. Not run on taking the lead: a restart loop must not compact each time.
  const compaction: Job = {
    name: 'history-compaction',
    everySeconds: config.retentionIntervalS,
    run: async (token) => {
      const mark = await relayMark(nc, config.subjectPrefix);
      const run = await compactHistory(ledger, config.retention, mark === null ? [] : [mark], new Date());
      log.info({ ...run, token }, 'history compaction');
    },
  };
  for (const job of [stranded, witness, reescalation, timerGates, limitLift, compaction]) scheduler.add(job);
  lease.onAcquire = () => void scheduler.runOnce(stranded, 'lead');
  await lease.start();
  return {
    lease,
    scheduler,
    stop: async () => {
      await scheduler.stop();
      await lease.stop();
      signals.stop();
    },
  };
}
