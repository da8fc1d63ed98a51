import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceMetrics } from '../../src/app/metrics.ts';

/** Metric names (the first word of each sample line) in a Prometheus text exposition. */
const names = (text: string) =>
  new Set(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => (/^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(l) as RegExpExecArray)[0]),
  );

/**
 * Stock Node.js dashboards and alerts look for the process defaults by their standard names; only
 * the metrics this service defines carry the `gt_` prefix.
 */
describe('/metrics names', () => {
  let server: Server;
  let text: string;
  beforeAll(async () => {
    const metrics = new ServiceMetrics();
    server = createServer(metrics.route);
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
    expect(res.status).toBe(200);
    text = await res.text();
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it('has the process defaults under their standard names', () => {
    const n = names(text);
    for (const standard of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ])
      expect(n, standard).toContain(standard);
  });

  it('has no gt_-prefixed copies of them, and every other metric is ours (gt_*)', () => {
    const n = [...names(text)];
    expect(n.filter((m) => /^gt_(process|nodejs)_/.test(m))).toEqual([]);
    const foreign = n.filter((m) => !/^(gt|process|nodejs)_/.test(m));
    expect(foreign).toEqual([]);
    expect(n).toContain('gt_mail_delivered_total');
  });
});
