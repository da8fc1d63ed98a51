import type { RequestListener } from 'node:http';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { MergeRequest } from '../domain/merge-request.ts';
import type { UsageRecord } from '../domain/usage.ts';

/** What the town looks like now, read at each scrape (see town-gauges.ts). */
export interface TownSnapshot {
  beads: Array<{ status: string; count: number }>;
  convoys: Array<{ status: string; count: number }>;
  polecats: Array<{ rig: string; verdict: string; count: number }>;
  escalationsOpen: Array<{ severity: string; count: number }>;
  /** Merge requests waiting or being verified, per rig. */
  mqDepth: Array<{ rig: string; count: number }>;
  /** Rigs whose dispatch a usage-limit pause holds now (domain/usage-limit.ts). */
  usageLimitedRigs: number;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Prometheus metrics on `GET /metrics` (prom-client), issue 7's list: counters and histograms
 * the service moves as it works, gauges of the town's state read from the ledger at each scrape,
 * and the process defaults under their standard names (`process_*`, `nodejs_*`: event loop lag,
 * memory, GC).
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly r = [this.registry];
  readonly commands = new Counter({
    name: 'gt_commands_total',
    help: 'Commands run through the command layer',
    labelNames: ['verb', 'outcome', 'source'] as const,
    registers: this.r,
  });
  readonly commandDuration = new Histogram({
    name: 'gt_command_duration_seconds',
    help: 'Time to run a command in the command layer',
    labelNames: ['verb'] as const,
    buckets: LATENCY_BUCKETS,
    registers: this.r,
  });
  readonly cronRuns = new Counter({
    name: 'gt_cron_runs_total',
    help: 'Cron job runs on the leader, by outcome',
    labelNames: ['job', 'outcome'] as const,
    registers: this.r,
  });
  readonly cronDuration = new Histogram({
    name: 'gt_cron_job_duration_seconds',
    help: 'Duration of cron job runs',
    labelNames: ['job'] as const,
    buckets: LATENCY_BUCKETS,
    registers: this.r,
  });
  readonly dispatchLatency = new Histogram({
    name: 'gt_dispatch_latency_seconds',
    help: 'From a bead closing to the dispatch of work it unblocked',
    buckets: LATENCY_BUCKETS,
    registers: this.r,
  });
  readonly mqOutcomes = new Counter({
    name: 'gt_mq_outcomes_total',
    help: 'Merge queue attempts by rig and how they ended (landed, conflict, gates-failed, …)',
    labelNames: ['rig', 'outcome'] as const,
    registers: this.r,
  });
  readonly mqLanding = new Histogram({
    name: 'gt_mq_landing_seconds',
    help: 'From the submission of a merge request to its work landing on the target',
    buckets: [1, 5, 15, 60, 300, 900, 3600, 4 * 3600],
    registers: this.r,
  });
  private readonly mqWait = new Histogram({
    name: 'gt_mq_wait_seconds',
    help: 'From the submission of a merge request to the start of its (first) verification',
    buckets: [1, 5, 15, 60, 300, 900, 3600, 4 * 3600],
    registers: this.r,
  });
  private readonly mqVerify = new Histogram({
    name: 'gt_mq_verify_seconds',
    help: 'One batch verified: from claiming it to every member judged (gates, bisection, landing)',
    buckets: [1, 5, 15, 60, 300, 900, 3600],
    registers: this.r,
  });
  private readonly mqGateRuns = new Counter({
    name: 'gt_mq_gate_runs_total',
    help: 'Trees the merge queue verified (each a run of the rig gates; the extra run on the bare target that tells whose failure it is not counted); divided by landed outcomes: gate runs per landed MR',
    labelNames: ['rig'] as const,
    registers: this.r,
  });
  private readonly mqBatchSize = new Histogram({
    name: 'gt_mq_batch_size',
    help: 'Merge requests verified together',
    buckets: [1, 2, 3, 4, 6, 8, 12, 16],
    registers: this.r,
  });
  private readonly mqBisection = new Histogram({
    name: 'gt_mq_bisection_depth',
    help: 'Verifications a failing batch took beyond its first (the bisection to its culprit)',
    buckets: [0, 1, 2, 3, 4],
    registers: this.r,
  });
  readonly mailDelivered = new Counter({
    name: 'gt_mail_delivered_total',
    help: 'Mail handed to the recipient’s durable subject',
    registers: this.r,
  });
  readonly natsReconnects = new Counter({
    name: 'gt_nats_reconnects_total',
    help: 'Reconnections of the service’s NATS connection',
    registers: this.r,
  });
  readonly chatRateLimited = new Counter({
    name: 'gt_chat_rate_limited_total',
    help: 'Outbound chat calls answered 429 (retried after Retry-After)',
    labelNames: ['platform'] as const,
    registers: this.r,
  });
  readonly chatApiErrors = new Counter({
    name: 'gt_chat_api_errors_total',
    help: 'Failed outbound chat API calls by error code',
    labelNames: ['platform', 'code'] as const,
    registers: this.r,
  });
  /** Kept in whole micro-dollars and shown from them: a float counter would drift (0.3 × 4 ≠ 1.2). */
  private readonly costMicros = new Map<string, number>();
  private readonly agentCost = new Counter({
    name: 'gt_agent_cost_usd_total',
    help: 'Dollars agents spent as their runners reported them (reported by the CLI or estimated from config/prices.json), by rig',
    labelNames: ['rig'] as const,
    registers: this.r,
    collect: () => this.showCost(),
  });
  private readonly agentTokens = new Counter({
    name: 'gt_agent_tokens_total',
    help: 'Tokens agents used as their runners reported them, by rig and kind (input, output, cache_read, cache_write)',
    labelNames: ['rig', 'kind'] as const,
    registers: this.r,
  });
  readonly agentApprovals = new Counter({
    name: 'gt_agent_approvals_total',
    help: 'Agent permission requests by how they ended: allow_once, allow_always (a person, adding a rule), allow_rule (the allow-list), deny, timeout',
    labelNames: ['outcome'] as const,
    registers: this.r,
  });
  private readonly beads = new Gauge({
    name: 'gt_beads',
    help: 'Beads (not convoys) by status',
    labelNames: ['status'] as const,
    registers: this.r,
  });
  private readonly convoys = new Gauge({
    name: 'gt_convoys',
    help: 'Convoys by status',
    labelNames: ['status'] as const,
    registers: this.r,
  });
  private readonly polecats = new Gauge({
    name: 'gt_polecats',
    help: 'Polecats holding a slot, by rig and witness verdict',
    labelNames: ['rig', 'verdict'] as const,
    registers: this.r,
  });
  private readonly escalationsOpen = new Gauge({
    name: 'gt_escalations_open',
    help: 'Open escalations by severity',
    labelNames: ['severity'] as const,
    registers: this.r,
  });
  private readonly mqDepth = new Gauge({
    name: 'gt_mq_depth',
    help: 'Merge requests queued or being verified, by rig',
    labelNames: ['rig'] as const,
    registers: this.r,
  });
  private readonly usageLimitedRigs = new Gauge({
    name: 'gt_usage_limited_rigs',
    help: 'Rigs paused by a usage limit of their agent account (dispatch resumes at the reset time)',
    registers: this.r,
  });
  private readTown: (() => Promise<TownSnapshot>) | null = null;

  constructor() {
    // No prefix: stock Node.js dashboards and alerts look for `process_cpu_seconds_total` and
    // `nodejs_*` by those names. Only the metrics this service defines are `gt_*`.
    collectDefaultMetrics({ register: this.registry });
    // Present from the first scrape, before anything happened.
    this.mailDelivered.inc(0);
    this.natsReconnects.inc(0);
    this.dispatchLatency.zero({});
  }

  /** Where the gauges come from (set once the ledger and command layer exist). */
  watchTown(read: () => Promise<TownSnapshot>): void {
    this.readTown = read;
  }

  readonly route: RequestListener = (_req, res) => {
    void this.refreshTown()
      .then(() => this.registry.metrics())
      .then((body) => {
        res.writeHead(200, { 'content-type': this.registry.contentType });
        res.end(body);
      })
      .catch((err: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`metrics unavailable: ${err.message}\n`);
      });
  };

  private async refreshTown(): Promise<void> {
    if (!this.readTown) return;
    const town = await this.readTown();
    this.beads.reset();
    this.convoys.reset();
    this.polecats.reset();
    this.escalationsOpen.reset();
    this.mqDepth.reset();
    for (const b of town.beads) this.beads.set({ status: b.status }, b.count);
    for (const c of town.convoys) this.convoys.set({ status: c.status }, c.count);
    for (const p of town.polecats) this.polecats.set({ rig: p.rig, verdict: p.verdict }, p.count);
    for (const e of town.escalationsOpen) this.escalationsOpen.set({ severity: e.severity }, e.count);
    for (const q of town.mqDepth) this.mqDepth.set({ rig: q.rig }, q.count);
    this.usageLimitedRigs.set(town.usageLimitedRigs);
  }

  /** One batch (or single MR) verified: its size, its gate runs, how long it and its members took. */
  observeBatch(
    rig: string,
    b: { waitsS: number[]; verifications: number; seconds: number; failed: boolean },
  ): void {
    this.mqBatchSize.observe(b.waitsS.length);
    for (const w of b.waitsS) this.mqWait.observe(w);
    this.mqVerify.observe(b.seconds);
    this.mqGateRuns.inc({ rig }, b.verifications);
    if (b.failed && b.verifications > 0) this.mqBisection.observe(b.verifications - 1);
  }

  /** One usage record stored (`gt usage report`): its dollars and tokens, under its rig. */
  observeUsage(r: UsageRecord): void {
    if (r.cost_usd !== null)
      this.costMicros.set(r.rig, (this.costMicros.get(r.rig) ?? 0) + Math.round(r.cost_usd * 1_000_000));
    for (const [kind, n] of Object.entries(r.tokens))
      if (n > 0) this.agentTokens.inc({ rig: r.rig, kind }, n);
  }

  private showCost(): void {
    this.agentCost.reset();
    for (const [rig, micros] of this.costMicros) this.agentCost.inc({ rig }, micros / 1_000_000);
  }

  /** One merge attempt's end; a landing also times the MR from submission. */
  observeMerge(rig: string, mr: MergeRequest, outcome: string): void {
    this.mqOutcomes.inc({ rig, outcome });
    if (mr.status === 'merged' && mr.merged_at)
      this.mqLanding.observe((Date.parse(mr.merged_at) - Date.parse(mr.created_at)) / 1000);
  }
}
