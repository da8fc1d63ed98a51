import type { RequestListener } from 'node:http';
import type { NatsConnection } from '@nats-io/transport-node';
import type { MayorRunner } from '../agent/mayor-runner.ts';
import { serveApi } from '../bus/api-server.ts';
import { connectService } from '../bus/connection.ts';
import { CATALOG } from '../commands/catalog.ts';
import type { Landings } from '../commands/command.ts';
import { CommandRegistry } from '../commands/registry.ts';
import type { ApprovalOutcome } from '../domain/approval.ts';
import type { UsageRecord } from '../domain/usage.ts';
import type { Ledger } from '../ledger/port.ts';
import { startBackground } from './background.ts';
import { startChat } from './chat.ts';
import type { ServiceConfig } from './config.ts';
import { startCronJobs } from './cron-jobs.ts';
import { formulaFiles } from './formula-files.ts';
import { acquireHomeLock } from './home-lock.ts';
import { type HttpServer, type ReadinessCheck, startHttpServer } from './http-server.ts';
import { openLedger } from './ledger-factory.ts';
import { natsLiveDelivery } from './live-delivery.ts';
import type { Logger } from './logger.ts';
import { startMayor } from './mayor.ts';
import { startMergeQueues } from './merge-queues.ts';
import { ServiceMetrics } from './metrics.ts';
import { loadPriceTable, PRICES_FILE, pricerOf } from './price-file.ts';
import { gitRepoFacts } from './repo-facts.ts';
import { removeRuntime, writeRuntime } from './runtime-file.ts';
import { ShutdownSteps } from './shutdown-steps.ts';
import { townReader } from './town-gauges.ts';
import { townNats } from './town-nats.ts';
import { startTracing } from './tracing.ts';

export interface RunningService {
  natsUrl: string;
  httpUrl: string;
  ledgerKind: Ledger['kind'];
  stop(): Promise<void>;
  /** The shutdown step running now (what an overrun deadline names). */
  stopStep(): string;
}

/**
 * The composition root of `gt up`: lock the home, open the ledger, start (or join) NATS, serve the
 * command layer on `gt.api.*`, open HTTP, then announce ourselves in runtime.json. Stopping runs
 * the same steps backwards; a failure half-way undoes what had started.
 */
export async function startService(config: ServiceConfig, log: Logger): Promise<RunningService> {
  const undo = new ShutdownSteps();
  let shuttingDown = false;
  const stop = async () => {
    shuttingDown = true;
    await undo.runAll((err, step) => log.error({ err, step }, 'shutdown step failed'));
  };
  try {
    // First in, last out: spans of the shutdown itself are still exported.
    const tracing = await startTracing('gastown-ops', process.env, { warn: (m) => log.warn(m) });
    if (tracing) {
      log.info('tracing on (OTEL_* variables): one trace per command');
      undo.add('exporting the last spans', () => tracing.shutdown());
    }
    const lock = acquireHomeLock(config.home);
    undo.add('releasing the home lock', () => lock.release());
    const ledger = await openLedger(config.ledgerUrl, {
      sqliteSync: config.sqliteSync,
      mongoMode: config.mongoMode,
      onWarning: (message) => log.warn(message),
    });
    // Closed on the way out even when init fails: an open client would keep a failed start alive.
    undo.add('closing the ledger', () => ledger.close());
    await ledger.init();
    log.info({ ledger: ledger.describe() }, `ledger ready: ${Object.values(ledger.describe()).join(', ')}`);
    const nats = await townNats(config, ledger, undo);
    const nc = await connectService(nats.url, `gt-service-${process.pid}`, { credentials: nats.credentials });
    undo.add('draining the NATS connection', () => nc.drain());
    const metrics = new ServiceMetrics();
    const prices = loadPriceTable();
    if (!prices)
      log.warn(`no price table at ${PRICES_FILE}: costs the agents' CLIs do not report stay unpriced`);
    const services = {
      ledger,
      observe: (verb: string, outcome: string, source: string, seconds: number) => {
        metrics.commands.inc({ verb, outcome, source });
        metrics.commandDuration.observe({ verb }, seconds);
      },
      now: () => new Date(),
      ...(prices && { price: pricerOf(prices) }),
      onUsage: (record: UsageRecord) => metrics.observeUsage(record),
      onApproval: (outcome: ApprovalOutcome) => metrics.agentApprovals.inc({ outcome }),
      onWrite: (_verb: string): void | Promise<void> => {},
      live: await natsLiveDelivery(nc, config.subjectPrefix, config.natsReplicas),
      repos: gitRepoFacts,
      formulas: formulaFiles({ home: config.home, rigs: () => ledger.listRigs() }),
      landings: undefined as Landings | undefined,
      mergeQueue: { maxWaitMs: config.mqMaxWaitS * 1000 },
      budgetDefaults: config.budgetDefaults,
      log,
      policy: config.chatPolicy.policy,
    };
    const registry = new CommandRegistry(services, CATALOG, (err, verb) =>
      log.error({ err, verb }, 'command failed unexpectedly'),
    );
    metrics.watchTown(townReader(ledger, registry));
    countReconnects(nc, metrics);
    const background = await startBackground(
      nc,
      ledger,
      registry,
      config.subjectPrefix,
      log,
      metrics,
      config.natsReplicas,
    );
    // Steps run last-added first: added backwards so they stop in the order given.
    for (const [name, stop] of [...background.stops].reverse()) undo.add(name, stop);
    let mayor: MayorRunner | null = null;
    services.onWrite = async (verb) => {
      background.relay.wake();
      // The new rig's runner can log in as soon as `gt rig add` answers.
      if (verb === 'gt plan' || verb === 'gt plan revise') mayor?.kick();
      if (verb === 'gt rig add')
        await nats
          .rigsChanged()
          .catch((err) => log.error({ err }, 'NATS users not reloaded for the new rig'));
    };
    const api = serveApi(
      nc,
      config.subjectPrefix,
      (call) => registry.execute(call),
      (err) => log.error({ err }, 'an API request failed below the command layer'),
    );
    undo.add('draining the command API', () => api.drain());
    const cron = await startCronJobs(nc, ledger, registry, config, log, (job, ok, seconds) => {
      metrics.cronRuns.inc({ job, outcome: ok ? 'ok' : 'failed' });
      if (ok) metrics.cronDuration.observe({ job }, seconds);
    });
    undo.add('stopping cron', () => cron.stop());
    const runner = startMayor(
      ledger,
      registry,
      config,
      nats.url,
      services.formulas,
      () => cron.lease.token() !== null,
      log,
    );
    mayor = runner;
    undo.add('stopping the Mayor', () => runner.stop());
    const mergeQueues = await startMergeQueues(nc, ledger, registry, config, log, metrics);
    undo.add('stopping the merge queues', () => mergeQueues.stop());
    services.landings = mergeQueues.landings;
    const chat = await startChat({
      config: config.chat,
      chatPolicy: config.chatPolicy,
      registry,
      ledger,
      nc,
      prefix: config.subjectPrefix,
      replicas: config.natsReplicas,
      log,
      metrics,
      mqMaxWaitMs: config.mqMaxWaitS * 1000,
    });
    undo.add('stopping chat', () => chat.stop());
    chat.routes.set('/metrics', metrics.route);
    const http = await startHttp(config, ledger, nc, () => shuttingDown, chat.routes, chat.checks);
    undo.add('closing HTTP', () => http.close());
    writeRuntime(config.home, { nats_url: nats.url, http_url: http.url, pid: process.pid });
    undo.add('removing runtime.json', () => removeRuntime(config.home));
    return {
      natsUrl: nats.url,
      httpUrl: http.url,
      ledgerKind: ledger.kind,
      stop,
      stopStep: () => undo.at,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Counts reconnections of the service's connection (the status iterator ends when it closes). */
function countReconnects(nc: NatsConnection, metrics: ServiceMetrics): void {
  void (async () => {
    for await (const status of nc.status()) if (status.type === 'reconnect') metrics.natsReconnects.inc();
  })();
}

function startHttp(
  config: ServiceConfig,
  ledger: Ledger,
  nc: NatsConnection,
  isShuttingDown: () => boolean,
  routes: ReadonlyMap<string, RequestListener>,
  chatChecks: readonly ReadinessCheck[],
): Promise<HttpServer> {
  return startHttpServer({
    host: config.httpHost,
    port: config.httpPort,
    isShuttingDown,
    routes,
    checks: [
      { name: 'ledger', check: () => ledger.ping(), details: () => ledger.describe() },
      {
        name: 'nats',
        check: async () => {
          if (nc.isClosed()) throw new Error('closed');
          await nc.flush();
        },
      },
      ...chatChecks,
    ],
  });
}
