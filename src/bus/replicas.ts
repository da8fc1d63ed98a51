import type { JetStreamManager } from '@nats-io/jetstream';

/**
 * GT_NATS_REPLICAS: how many copies of every stream and KV bucket the town keeps — 1 on the
 * embedded single server (the default), 3 on a cluster of three or more nodes, which then loses
 * nothing when any one node dies.
 *
 * A stream or bucket made earlier with another count (the town moved from one server to a
 * cluster, or the setting changed) is changed in place by a stream update: clustered nats-server
 * (2.9 included) scales a stream up or down and catches the new peers up from its leader. When
 * NATS refuses — a single server asked for 3 copies, fewer nodes up than copies — the caller fails
 * with the reason and the way out. We decided against starting anyway on the old count: a town
 * that silently keeps one copy has lost the node-loss tolerance the operator configured, and a
 * failed start is what gets noticed.
 */
export async function keepReplicas(
  jsm: JetStreamManager,
  stream: string,
  have: number,
  want: number,
): Promise<void> {
  if ((have || 1) === want) return;
  try {
    await jsm.streams.update(stream, { num_replicas: want });
    await settled(jsm, stream, want);
  } catch (err) {
    throw new Error(
      `NATS stream ${stream} keeps ${have} replica(s) but GT_NATS_REPLICAS=${want}, and NATS refused to change it (${(err as Error).message}); ` +
        `set GT_NATS_REPLICAS=${have}, or run \`nats stream edit ${stream} --replicas ${want}\` once ${want} JetStream nodes are up`,
    );
  }
}

/**
 * Until the rescaled stream has a leader and all its peers again: NATS moves it to a new raft
 * group, and requests to it in the meantime (the next update, a consumer, a publish) time out.
 */
async function settled(
  jsm: JetStreamManager,
  stream: string,
  want: number,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await jsm.streams.info(stream).catch(() => null);
    const peers = info?.cluster?.replicas ?? [];
    if (info?.cluster?.leader && peers.length === want - 1 && peers.every((p) => p.current)) return;
    if (Date.now() > deadline) throw new Error(`no leader with ${want} current peers within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** NATS's answer when a stream does not exist (anything else — no quorum, a timeout — is an error). */
export const isStreamNotFound = (err: unknown): boolean =>
  /stream not found/i.test((err as Error)?.message ?? '');
