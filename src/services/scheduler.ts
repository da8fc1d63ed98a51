import cron, { type ScheduledTask } from 'node-cron';
import { cronEverySeconds } from '../domain/schedule.ts';

type Log = {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
};

export interface Job {
  name: string;
  everySeconds: number;
  run(token: number): Promise<void>;
}

/**
 * The cron jobs (node-cron, UTC, no overlap). A job runs only on the replica holding the lease,
 * with the lease's fencing token; failures and skipped runs are logged, and each run's outcome
 * goes to `onRun` (metrics).
 */
export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly leaderToken: () => number | null;
  private readonly log: Log;

  private readonly onRun: (job: string, ok: boolean, seconds: number) => void;

  constructor(
    leaderToken: () => number | null,
    log: Log,
    onRun: (job: string, ok: boolean, seconds: number) => void = () => {},
  ) {
    this.leaderToken = leaderToken;
    this.log = log;
    this.onRun = onRun;
  }

  add(job: Job): void {
    const task = cron.schedule(cronEverySeconds(job.everySeconds, job.name), () => this.runOnce(job), {
      name: job.name,
      timezone: 'UTC',
      noOverlap: true,
    });
    task.on('execution:overlap', () =>
      this.log.warn({ job: job.name }, 'previous run still going; this tick skipped'),
    );
    this.tasks.push(task);
  }

  /** Runs a job now (also used for the immediate stranded scan at start), if this replica leads. */
  async runOnce(job: Job, trigger: 'tick' | 'lead' = 'tick'): Promise<boolean> {
    const token = this.leaderToken();
    if (token === null) return false;
    try {
      // One line per run (debug): what shows, across replicas, that each tick ran exactly once.
      // `fence`, not `token`: log redaction removes every field named token.
      this.log.debug({ job: job.name, fence: token, trigger, at: new Date().toISOString() }, 'cron job ran');
      const started = performance.now();
      await job.run(token);
      this.onRun(job.name, true, (performance.now() - started) / 1000);
      return true;
    } catch (err) {
      this.onRun(job.name, false, 0);
      this.log.error({ err, job: job.name }, 'cron job failed');
      return false;
    }
  }

  async stop(): Promise<void> {
    for (const task of this.tasks) await task.destroy();
  }
}
