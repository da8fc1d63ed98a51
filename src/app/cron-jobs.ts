import type { NatsConnection } from '@nats-io/transport-node';
import { LivenessReporter } from '../agent/liveness.ts';
import type { CommandRegistry } from '../commands/registry.ts';
import type { Actor } from '../domain/actor.ts';
import type { Ledger } from '../ledger/port.ts';
import { LeaderLease } from '../services/leader-lease.ts';
import { type Job, Scheduler } from '../services/scheduler.ts';
import { strandedScan } from '../services/stranded-scan.ts';
import type { ServiceConfig } from './config.ts';
import type { Logger } from './logger.ts';

const SCANNER: Actor = { kind: 'system', id: 'stranded-scan' };

/**
 * The cron side of the service: take (or wait for) the leader lease, schedule the stranded scan,
 * and run one scan at once when leading (Gas Town waits up to 30 s; a crash's leftovers should
 * not). Witness checks and re-escalation join this list in issue 5.
 */
export async function startCronJobs(
  nc: NatsConnection,
  ledger: Ledger,
  registry: CommandRegistry,
  config: ServiceConfig,
  log: Logger,
): Promise<{ stop: () => Promise<void>; lease: LeaderLease }> {
  const lease = await LeaderLease.open(
    nc,
    config.subjectPrefix,
    `${process.pid}@${config.home}`,
    config.leaseTtlMs,
    log,
  );
  const liveness = await LivenessReporter.open(nc, config.subjectPrefix);
  const scheduler = new Scheduler(() => lease.token(), log);
  const stranded: Job = {
    name: 'stranded-scan',
    everySeconds: config.strandedIntervalS,
    run: async (token) => {
      const summary = await strandedScan(
        ledger,
        (verb, args) => registry.execute({ verb, args, actor: SCANNER, source: `cron:lease=${token}` }),
        (agent) => liveness.get(agent),
        new Date(),
      );
      if (summary.dispatched.length || summary.released.length || summary.stuck.length)
        log.info({ ...summary, token }, 'stranded scan');
    },
  };
  scheduler.add(stranded);
  // The first scan runs the moment this replica leads: at start, or when it takes over.
  lease.onAcquire = () => void scheduler.runOnce(stranded);
  await lease.start();
  return {
    lease,
    stop: async () => {
      await scheduler.stop();
      await lease.stop();
    },
  };
}
