import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';

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
}

/**
 * Publishes process liveness: the latest state per polecat in the KV bucket `<prefix>_liveness`
 * (key `<rig>/<name>`) and each report on `<prefix>.hb.<rig>.<name>` for live watchers.
 */
export class LivenessReporter {
  private readonly nc: NatsConnection;
  private readonly kv: KV;
  private readonly prefix: string;

  private constructor(nc: NatsConnection, kv: KV, prefix: string) {
    this.nc = nc;
    this.kv = kv;
    this.prefix = prefix;
  }

  static async open(nc: NatsConnection, prefix: string): Promise<LivenessReporter> {
    return new LivenessReporter(nc, await new Kvm(nc).create(`${prefix}_liveness`, { history: 1 }), prefix);
  }

  async report(l: Liveness): Promise<void> {
    const [rig, name] = l.agent.split('/');
    await this.kv.put(l.agent, JSON.stringify(l));
    this.nc.publish(`${this.prefix}.hb.${rig}.${name}`, JSON.stringify(l));
  }

  async get(agent: string): Promise<Liveness | null> {
    const entry = await this.kv.get(agent);
    return entry && entry.length > 0 ? entry.json<Liveness>() : null;
  }
}
