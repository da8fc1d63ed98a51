import { cpus, totalmem } from 'node:os';

/** Percentiles and the machine description every benchmark report carries. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export function describeMachine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}/${process.arch}`;
}

/** One row of bench/results.json (issue 8's harness reads the same shape). */
export interface ResultRow {
  name: string;
  value: number;
  unit: string;
  target: string | null;
  met: boolean | null;
  median?: number;
  p99?: number;
  /** The unit of median and p99 when it is not the value's (a rate whose spread is per-call latency). */
  stat_unit?: string;
}

export const round = (n: number, digits = 2): number => Number(n.toFixed(digits));
