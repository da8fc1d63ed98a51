import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Rig } from '../../domain/rig.ts';
import { LeaderLease } from '../leader-lease.ts';
import { GateJournal } from './gate-journal.ts';
import { type RefineryDeps, RigRefinery } from './rig-refinery.ts';

/** A pass longer than this is logged with its step (gates of real projects take minutes: info, not a warning). */
const SLOW_PASS_MS = 20_000;

export interface RefineriesConfig {
  prefix: string;
  /** Lease holder id (`<pid>@<home>`, like the cron lease's) and its TTL. */
  holder: string;
  leaseTtlMs: number;
  /** How often every rig's queue is looked at even without an event (a lost event costs this). */
  pollMs: number;
  /** GT_NATS_REPLICAS, for the leases' KV bucket. */
  replicas: number;
}

/**
 * The merge queues of every rig that lands through one (strategy `mr` or `direct`, with a
 * repository), in the service — and of a `local` rig once something is queued for it (a convoy
 * that says `--merge mr`, a `gt mq submit`). Each rig has its own lease (`refinery-<rig>`): replicas share the work rig by rig
 * and never merge one rig twice at once. A queue runs when an MR is submitted or moved (ledger
 * events), when this replica takes a rig's lease, and every `pollMs` as a safety net.
 */
export class Refineries {
  private readonly nc: NatsConnection;
  private readonly c: RefineriesConfig;
  private readonly deps: Omit<RefineryDeps, 'journal'>;
  private readonly byRig = new Map<string, { refinery: RigRefinery; lease: LeaderLease }>();
  private sub: Subscription | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;

  constructor(nc: NatsConnection, config: RefineriesConfig, deps: Omit<RefineryDeps, 'journal'>) {
    this.nc = nc;
    this.c = config;
    this.deps = deps;
  }

  async start(): Promise<void> {
    this.sub = this.nc.subscribe(`${this.c.prefix}.evt.*.*`, {
      callback: (err, msg) => {
        if (err || !/\.evt\.(mr_|rig_thawed)/.test(msg.subject)) return;
        const queue = this.byRig.get(msg.subject.split('.').at(-1) ?? '');
        // Work queued for a rig without a queue yet (a `local` one): start it now, not at the next poll.
        void (queue ? queue.refinery.wake() : this.tick());
      },
    });
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.c.pollMs);
  }

  /** Starts a queue for each new rig that merges through one, then wakes every queue. */
  private tick(): Promise<void> {
    // One look at a time: two at once could both start a queue for the same new rig.
    this.ticking ??= this.look().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  private async look(): Promise<void> {
    try {
      const rigs = (await this.deps.ledger.listRigs()).filter((r) => r.repo && !this.byRig.has(r.name));
      const local = rigs.some((r) => r.merge_policy.merge === 'local');
      const queued = local ? await this.rigsWithQueuedWork() : new Set<string>();
      // A known rig's queue reads the rig afresh at each pass (its policy may have changed).
      for (const rig of rigs)
        if (rig.merge_policy.merge !== 'local' || queued.has(rig.name)) await this.add(rig);
      // Not awaited: a pass may take as long as its gates (the service must start meanwhile).
      for (const { refinery } of this.byRig.values()) {
        refinery.reportSlowPass(SLOW_PASS_MS);
        void refinery.wake();
      }
    } catch (err) {
      this.deps.log.warn(
        { err: (err as Error).message },
        'merge queues: could not look at the rigs; retried',
      );
    }
  }

  private async rigsWithQueuedWork(): Promise<Set<string>> {
    const open = await this.deps.ledger.listMergeRequests({ status: ['queued', 'verifying'] });
    return new Set(open.map((mr) => mr.rig));
  }

  private async add(rig: Rig): Promise<void> {
    const lease = await LeaderLease.open(
      this.nc,
      this.c.prefix,
      this.c.holder,
      this.c.leaseTtlMs,
      this.deps.log,
      this.c.replicas,
      `refinery-${rig.name}`,
    );
    const journal = new GateJournal(`${this.deps.home}/refinery/${rig.name}.gates.json`);
    const refinery = new RigRefinery(rig, lease, { ...this.deps, journal });
    lease.onAcquire = () => void refinery.wake();
    this.byRig.set(rig.name, { refinery, lease });
    await lease.start();
  }

  /** A branch that landed outside the queue (`direct`) but could not be deleted yet: the queue retries. */
  dropLater(rig: string, branch: string): void {
    this.byRig.get(rig)?.refinery.dropLater(branch);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.sub?.unsubscribe();
    await Promise.all([...this.byRig.values()].map(({ lease }) => lease.stop()));
    // A gate still running would outlive the service; the MR it verified is queued again at start.
    for (const { refinery } of this.byRig.values()) refinery.abandon();
  }
}
