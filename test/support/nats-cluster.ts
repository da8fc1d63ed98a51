import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { freePort, type NatsServerProcess, startNatsServer } from '../../src/bus/nats-server-process.ts';

/** One node: its fixed ports and store, so a killed node comes back as itself. */
interface ClusterNode {
  name: string;
  port: number;
  routePort: number;
  monitorPort: number;
  storeDir: string;
  server: NatsServerProcess | null;
}

type Jsz = { meta_cluster?: { leader?: string; cluster_size?: number } };

const CLUSTER_NAME = 'gt-test';

/**
 * Three (or `size`) `nats-server` processes clustered on loopback, JetStream on each with its own
 * store, named n1…n3. Services connect with `url`, which lists every node. A node can be killed
 * (SIGKILL) and started again on the same ports and store, as a machine that crashed and rebooted.
 */
export class NatsCluster {
  readonly nodes: ClusterNode[];

  private constructor(nodes: ClusterNode[]) {
    this.nodes = nodes;
  }

  /**
   * Ports are picked free and then handed to nats-server, so another process (an outgoing
   * connection's ephemeral port) can take one in between; the node that lost its port never
   * joins. Such a start is retried once on new ports, saying why on stderr.
   */
  static async start(dir: string, size = 3): Promise<NatsCluster> {
    try {
      return await NatsCluster.startOnce(join(dir, 'a'), size);
    } catch (err) {
      process.stderr.write(`nats cluster: start failed (${(err as Error).message}); retrying on new ports\n`);
      return NatsCluster.startOnce(join(dir, 'b'), size);
    }
  }

  private static async startOnce(dir: string, size: number): Promise<NatsCluster> {
    const nodes: ClusterNode[] = [];
    for (let i = 1; i <= size; i++) {
      const storeDir = join(dir, `n${i}`);
      mkdirSync(storeDir, { recursive: true });
      const [port, routePort, monitorPort] = [await freePort(), await freePort(), await freePort()];
      nodes.push({ name: `n${i}`, port, routePort, monitorPort, storeDir, server: null });
    }
    const cluster = new NatsCluster(nodes);
    try {
      // Together: a node waits for its peers' routes before JetStream elects a meta leader.
      await Promise.all(nodes.map((_, i) => cluster.startNode(i)));
      await cluster.waitForMetaLeader();
    } catch (err) {
      // Nobody else holds the cluster yet: its nodes must not outlive the failed start.
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** Every node's client URL, comma-separated (what GT_NATS_URL / `--nats` takes). */
  get url(): string {
    return this.nodes.map((n) => `nats://127.0.0.1:${n.port}`).join(',');
  }

  /** Every node up. */
  get running(): boolean {
    return this.nodes.every((n) => n.server !== null);
  }

  indexOf(name: string): number {
    const i = this.nodes.findIndex((n) => n.name === name);
    if (i < 0) throw new Error(`no node ${name} in ${this.nodes.map((n) => n.name).join(',')}`);
    return i;
  }

  private async startNode(i: number): Promise<void> {
    const node = this.nodes[i] as ClusterNode;
    const routes = this.nodes.map((n) => `nats-route://127.0.0.1:${n.routePort}`).join(', ');
    node.server = await startNatsServer({
      storeDir: node.storeDir,
      port: node.port,
      config: [
        `server_name: ${node.name}`,
        `http: "127.0.0.1:${node.monitorPort}"`,
        `cluster { name: ${CLUSTER_NAME}, listen: "127.0.0.1:${node.routePort}", routes: [${routes}] }`,
      ],
    });
  }

  /** SIGKILL of node `i`: no goodbye to its peers or clients. */
  async kill(i: number): Promise<void> {
    const node = this.nodes[i] as ClusterNode;
    await node.server?.kill();
    node.server = null;
  }

  /** Node `i` again, on its ports and store; resolves once it knows the meta leader again. */
  async restartNode(i: number): Promise<void> {
    await this.kill(i);
    await this.startNode(i);
    await this.waitForMetaLeader();
  }

  /** Every node that is down comes back (FaultTown's interface: `restart` after a failed test). */
  async restart(): Promise<void> {
    for (const [i, n] of this.nodes.entries()) if (!n.server) await this.restartNode(i);
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.server?.stop()));
    for (const n of this.nodes) n.server = null;
  }

  /** Until every running node names the same JetStream meta leader (the cluster can create streams). */
  async waitForMetaLeader(timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let seen: string[] = [];
    while (Date.now() < deadline) {
      seen = await Promise.all(this.nodes.filter((n) => n.server).map((n) => metaLeaderSeenBy(n)));
      if (seen.length > 0 && seen[0] && seen.every((l) => l === seen[0])) return seen[0];
      await new Promise((r) => setTimeout(r, 100));
    }
    const views = await Promise.all(this.nodes.filter((n) => n.server).map((n) => nodeView(n)));
    throw new Error(`no JetStream meta leader after ${timeoutMs} ms (${views.join('; ')})`);
  }

  /** The node (its name) that leads stream `stream` now, from JetStream's stream info. */
  async streamLeader(nc: NatsConnection, stream: string): Promise<string> {
    const info = await (await jetstreamManager(nc)).streams.info(stream);
    const leader = info.cluster?.leader;
    if (!leader) throw new Error(`stream ${stream} has no leader now`);
    return leader;
  }

  /**
   * Until every stream (KV buckets included) has a leader and all its other replicas are current,
   * and every consumer a leader and all its peers online: a node that came back has caught up, so
   * losing another one leaves two full copies of everything.
   */
  async waitAllCurrent(nc: NatsConnection, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lagging: string[] = [];
    while (Date.now() < deadline) {
      lagging = (await this.describe(nc)).filter((l) => !l.caughtUp).map((l) => l.text);
      if (lagging.length === 0) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`not caught up after ${timeoutMs} ms: ${lagging.join('; ')}`);
  }

  /** One line per stream and consumer: its leader, its peers, and what it holds or owes (for failures). */
  async describe(nc: NatsConnection): Promise<{ text: string; caughtUp: boolean }[]> {
    const jsm = await jetstreamManager(nc);
    const out: { text: string; caughtUp: boolean }[] = [];
    // A consumer's follower is only marked current at its next write: an idle consumer's peer on a
    // node that came back stays "lagging" with nothing to catch up on. Its peers must be back online.
    const line = (
      name: string,
      cluster: ClusterInfo | undefined,
      want: number,
      state: string,
      stream = true,
    ) => {
      const peers = cluster?.replicas ?? [];
      const caughtUp =
        !!cluster?.leader &&
        peers.length >= want - 1 &&
        peers.every((p) => (p.current || !stream) && !p.offline);
      const who = peers.map((p) => `${p.name}${p.current ? '' : '(lagging)'}${p.offline ? '(offline)' : ''}`);
      out.push({
        text: `${name} leader ${cluster?.leader ?? '-'} peers [${who.join(' ')}] ${state}`,
        caughtUp,
      });
    };
    try {
      for await (const s of jsm.streams.list()) {
        const want = s.config.num_replicas || 1;
        line(s.config.name, s.cluster, want, `msgs ${s.state.messages}`);
        for await (const c of jsm.consumers.list(s.config.name))
          line(
            `${s.config.name}>${c.name}`,
            c.cluster,
            c.config.num_replicas || want,
            `pending ${c.num_pending} ack-pending ${c.num_ack_pending} waiting ${c.num_waiting}`,
            false,
          );
      }
    } catch (err) {
      out.push({ text: `JetStream listing failed: ${(err as Error).message}`, caughtUp: false });
    }
    return out;
  }
}

type ClusterInfo = { leader?: string; replicas?: { name: string; current: boolean; offline?: boolean }[] };

async function metaLeaderSeenBy(node: ClusterNode): Promise<string> {
  try {
    const res = await fetch(`http://127.0.0.1:${node.monitorPort}/jsz`);
    const jsz = (await res.json()) as Jsz;
    return jsz.meta_cluster?.leader ?? '';
  } catch {
    return '';
  }
}

/** What a node says of itself, for a failure: its meta leader and its routes, or why it did not answer. */
async function nodeView(node: ClusterNode): Promise<string> {
  try {
    const res = await fetch(`http://127.0.0.1:${node.monitorPort}/routez`);
    const routez = (await res.json()) as {
      num_routes?: number;
      routes?: { remote_id?: string; ip?: string; port?: number }[];
    };
    const peers = (routez.routes ?? []).map((r) => `${r.ip}:${r.port}`).join(' ');
    return `${node.name} (client ${node.port}, route ${node.routePort}) sees leader "${await metaLeaderSeenBy(node)}", ${routez.num_routes ?? 0} routes [${peers}]`;
  } catch (err) {
    return `${node.name} (client ${node.port}, route ${node.routePort}, monitor ${node.monitorPort}) did not answer: ${(err as Error).message}`;
  }
}
