import type { RequestListener } from 'node:http';
import { Counter, collectDefaultMetrics, Registry } from 'prom-client';

/**
 * Prometheus metrics on `GET /metrics` (prom-client): every command by verb, outcome and source
 * (cli, slack, discord, cron…), cron job runs by outcome, and chat rate limiting (429s) by
 * platform, plus the process defaults (event loop lag, memory, GC).
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly commands = new Counter({
    name: 'gt_commands_total',
    help: 'Commands run through the command layer',
    labelNames: ['verb', 'outcome', 'source'] as const,
    registers: [this.registry],
  });
  readonly cronRuns = new Counter({
    name: 'gt_cron_runs_total',
    help: 'Cron job runs on the leader, by outcome',
    labelNames: ['job', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly chatRateLimited = new Counter({
    name: 'gt_chat_rate_limited_total',
    help: 'Outbound chat calls answered 429 (retried after Retry-After)',
    labelNames: ['platform'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'gt_' });
  }

  readonly route: RequestListener = (_req, res) => {
    void this.registry.metrics().then((body) => {
      res.writeHead(200, { 'content-type': this.registry.contentType });
      res.end(body);
    });
  };
}
