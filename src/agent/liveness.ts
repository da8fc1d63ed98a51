import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { livenessBucket } from '../bus/streams.ts';
import { heartbeatSubject } from '../bus/subjects.ts';

/** What a rig runner knows about one polecat's process — one of the witness's signals. */
export interface Liveness {
  agent: string;
  rig: string;
  bead: string;
  pid: number;
  alive: boolean;
  exit_code: number | null;
  signal: string | null;
  started_at: string;
  output_at: string;
  reported_at: string;
  /** The bead's respawn count this process was spawned for (see domain/polecat-signals.ts). */
  incarnation: number;
  /** On exit: files left uncommitted in the worktree, which is then kept rather than removed. */
  uncommitted?: number;
  worktree?: string;
  /**
   * On exit: the usage limit the agent reported (its output, or an exit status that means one),
   * with when it lifts if it said; absent when it reported none. A limit is not a crash.
   */
  limit?: { reset_at: string | null; message: string };
}

/**
 * Publishes process liveness: the latest state per polecat in the KV bucket `<prefix>_liveness`
 * (key `<rig>.<name>`, so a rig's polecats are one wildcard) and each report on
 * `<prefix>.hb.<rig>.<name>` for live watchers.
 */
export const livenessKey = (agent: string): string => agent.replace('/', '.');

export class LivenessReporter {
  private readonly nc: NatsConnection;
  private readonly kv: KV;
  private readonly prefix: string;

  private constructor(nc: NatsConnection, kv: KV, prefix: string) {
    this.nc = nc;
    this.kv = kv;
    this.prefix = prefix;
  }

  /** The bucket exists once the service has started (live-signals.ts creates it). */
  static async open(nc: NatsConnection, prefix: string): Promise<LivenessReporter> {
    return new LivenessReporter(nc, await new Kvm(nc).open(livenessBucket(prefix)), prefix);
  }

  async report(l: Liveness): Promise<void> {
    const [rig = '', name = ''] = l.agent.split('/');
    await this.kv.put(livenessKey(l.agent), JSON.stringify(l));
    this.nc.publish(heartbeatSubject(this.prefix, rig, name), JSON.stringify(l));
  }

  /**
   * Every polecat of the rig last reported alive (what a restarted runner must account for), by
   * reading each of the rig's slots directly. Listing the bucket's keys would need a consumer on
   * it, and the consumer permissions that takes would let a runner delete anyone's consumer —
   * the service's watch of the bucket included (docs/nats-auth.md).
   */
  async aliveIn(rig: string, slots: readonly string[]): Promise<Liveness[]> {
    const reports = await Promise.all(slots.map((name) => this.get(`${rig}/${name}`)));
    return reports.filter((l): l is Liveness => l?.alive === true);
  }

  async get(agent: string): Promise<Liveness | null> {
    const entry = await this.kv.get(livenessKey(agent));
    return entry && entry.length > 0 ? entry.json<Liveness>() : null;
  }
}
