import type { MongoClient, ServerHeartbeatStartedEvent } from 'mongodb';

const RECONNECT_RETRY_MS = 1_000;

/**
 * Reconnects a MongoClient whose server monitor has wedged.
 *
 * Why: in polling mode (servers without `topologyVersion` — FerretDB, DocumentDB, Cosmos) the
 * driver (7.9.x) can start a heartbeat on a monitoring connection whose socket is already
 * destroyed but has not yet emitted `close`. The write then waits for a `drain` that never comes,
 * the heartbeat neither succeeds nor fails, the server stays Unknown, and every operation fails
 * server selection until the process restarts — a database restart at the wrong moment takes the
 * service down for good. Found by the FerretDB-restart fault scenario (docs/faults.md).
 *
 * A heartbeat is bounded by the client's own timeouts (connect, then hello on the same timeout;
 * an awaited hello also waits up to heartbeatFrequencyMS), so one still outstanding well past
 * that bound is stuck. Closing and connecting the client again replaces the monitor; collections
 * already handed out keep working because the driver looks the topology up per operation.
 */
export class HeartbeatWatchdog {
  private readonly outstanding = new Map<string, { since: number; awaited: boolean }>();
  private timer: NodeJS.Timeout | null = null;
  private reconnecting: Promise<void> | null = null;
  private stopped = false;
  private readonly onStarted = (e: ServerHeartbeatStartedEvent) =>
    this.outstanding.set(e.connectionId, { since: Date.now(), awaited: e.awaited });
  private readonly onEnded = (e: { connectionId: string }) => this.outstanding.delete(e.connectionId);

  private readonly client: MongoClient;
  private readonly onReconnect: (stuckMs: number) => void;

  constructor(client: MongoClient, onReconnect: (stuckMs: number) => void) {
    this.client = client;
    this.onReconnect = onReconnect;
  }

  /** How long a heartbeat may take before it counts as stuck: the driver's bound plus slack. */
  private limitMs(awaited: boolean): number {
    const { connectTimeoutMS, heartbeatFrequencyMS } = this.client.options;
    const connect = connectTimeoutMS || 30_000;
    return (awaited ? connect + heartbeatFrequencyMS : 2 * connect) + 5_000;
  }

  start(checkEveryMs = 1_000): void {
    this.client.on('serverHeartbeatStarted', this.onStarted);
    this.client.on('serverHeartbeatSucceeded', this.onEnded);
    this.client.on('serverHeartbeatFailed', this.onEnded);
    this.timer = setInterval(() => void this.check(), checkEveryMs);
    this.timer.unref();
  }

  /** Stops watching; resolves once a reconnect under way has finished (so close() comes last). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.client.off('serverHeartbeatStarted', this.onStarted);
    this.client.off('serverHeartbeatSucceeded', this.onEnded);
    this.client.off('serverHeartbeatFailed', this.onEnded);
    await this.reconnecting;
  }

  /** Reconnects when some heartbeat is past its limit. */
  private async check(): Promise<void> {
    if (this.reconnecting !== null || this.stopped) return;
    const stuckMs = this.longestOverdueMs();
    if (stuckMs === null) return;
    this.outstanding.clear();
    this.onReconnect(stuckMs);
    this.reconnecting = this.reconnect().finally(() => {
      this.reconnecting = null;
    });
    await this.reconnecting;
  }

  /**
   * close() ends every monitor (the stuck promise is abandoned); connect() builds new ones. A
   * closed client never connects on its own again, so connect is retried until it succeeds (the
   * server may still be down) or the ledger closes.
   */
  private async reconnect(): Promise<void> {
    await this.client.close().catch(() => {});
    while (!this.stopped) {
      try {
        await this.client.connect();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, RECONNECT_RETRY_MS));
      }
    }
  }

  private longestOverdueMs(): number | null {
    let worst: number | null = null;
    for (const { since, awaited } of this.outstanding.values()) {
      const age = Date.now() - since;
      if (age > this.limitMs(awaited) && (worst === null || age > worst)) worst = age;
    }
    return worst;
  }
}
