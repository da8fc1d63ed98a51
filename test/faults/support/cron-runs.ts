/** A `cron job ran` line a service logs at debug level (see test/e2e/cron-leader.test.ts). */
export interface CronRun {
  job: string;
  /** The leader lease revision (fencing token) of the replica that ran it. */
  fence: number;
  trigger: 'tick' | 'lead';
  at: string;
}

export function cronRuns(output: string): CronRun[] {
  return output
    .split('\n')
    .filter((l) => l.includes('"cron job ran"'))
    .map((l) => JSON.parse(l) as CronRun);
}

/** Scheduled runs of one job that share a tick (the same second) across all replicas: must be 0. */
export function doubleTicks(runs: readonly CronRun[]): number {
  const seen = new Map<string, number>();
  for (const r of runs)
    if (r.trigger === 'tick')
      seen.set(`${r.job}@${r.at.slice(0, 19)}`, (seen.get(`${r.job}@${r.at.slice(0, 19)}`) ?? 0) + 1);
  return [...seen.values()].reduce((n, c) => n + c - 1, 0);
}
