import type { NatsConnection } from '@nats-io/transport-node';
import { gateProgressSubject } from '../bus/subjects.ts';
import type { Landings } from '../commands/command.ts';
import type { CommandRegistry } from '../commands/registry.ts';
import { basicEnv } from '../domain/polecat-env.ts';
import type { Ledger } from '../ledger/port.ts';
import { DirectLandings } from '../services/refinery/direct-landing.ts';
import { frozenNow } from '../services/refinery/frozen-now.ts';
import { Refineries } from '../services/refinery/refineries.ts';
import type { ServiceConfig } from './config.ts';
import type { Logger } from './logger.ts';
import type { ServiceMetrics } from './metrics.ts';

const REFINERY = { kind: 'system', id: 'refinery' } as const;
const TARGET_RACES = 3;

/**
 * The rigs' merge queues in the service (services/refinery): the refinery acts through the
 * command layer as the system actor `refinery` (closing landed beads, slinging rework,
 * escalating), and runs gates with the service's PATH and locale only — never its secrets.
 * `landings` lands `direct` work inside `gt done` with the same gates and compare-and-swap.
 */
export async function startMergeQueues(
  nc: NatsConnection,
  ledger: Ledger,
  registry: CommandRegistry,
  config: ServiceConfig,
  log: Logger,
  metrics: ServiceMetrics,
): Promise<{ stop: () => Promise<void>; landings: Landings }> {
  const refineries = new Refineries(
    nc,
    {
      prefix: config.subjectPrefix,
      holder: `${process.pid}@${config.home}`,
      leaseTtlMs: config.leaseTtlMs,
      pollMs: config.mqPollS * 1000,
      replicas: config.natsReplicas,
    },
    {
      ledger,
      execute: (verb, args) => registry.execute({ verb, args, actor: REFINERY, source: 'system' }),
      home: config.home,
      log,
      now: () => new Date(),
      maxAttempts: config.maxMergeAttempts,
      maxTargetRaces: TARGET_RACES,
      maxWaitMs: config.mqMaxWaitS * 1000,
      gateEnv: gateEnvironment(process.env),
      onOutcome: (rig, mr, outcome) => metrics.observeMerge(rig, mr, outcome),
      onBatch: (rig, batch) => metrics.observeBatch(rig, batch),
      // Best effort: a lost progress message only leaves the card's line a gate behind.
      onGateProgress: (p) => nc.publish(gateProgressSubject(config.subjectPrefix, p.rig), JSON.stringify(p)),
    },
  );
  const landings = new DirectLandings({
    home: config.home,
    gateEnv: gateEnvironment(process.env),
    maxTargetRaces: TARGET_RACES,
    dropLater: (rig, branch) => refineries.dropLater(rig, branch),
    frozen: (rig) => frozenNow(ledger, rig),
  });
  await refineries.start();
  return {
    stop: async () => {
      await refineries.stop();
      landings.abandon();
    },
    landings,
  };
}

/** What a gate sees: the basics a build needs, like a polecat's (docs/security.md), no secrets. */
const gateEnvironment = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
  ...basicEnv(env),
  ...(env.PATH && { PATH: env.PATH }),
  CI: 'true',
});
