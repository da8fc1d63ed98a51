import type { NatsConnection } from '@nats-io/transport-node';
import { callApi } from '../src/bus/api-client.ts';

/**
 * The feeding measurement shared by bench:feeding and bench:million: open convoys that are each
 * a chain A → B with A hooked; `bd close A` sent over the NATS API (as the CLI sends it) until
 * B's dispatch message arrives on `<prefix>.dispatch.<rig>`.
 */
export type Call = (verb: string, args: unknown) => Promise<Record<string, unknown>>;
export interface Chain {
  a: string;
  b: string;
}

/** Calls the command layer as a person, as `gt`/`bd` do; a refusal throws. */
export function apiCaller(nc: NatsConnection, prefix = 'gt'): Call {
  const human = { kind: 'human' as const, id: 'bench' };
  return async (verb, args) => {
    const reply = await callApi(nc, prefix, { verb, args, actor: human });
    if (!reply.ok) throw new Error(`${verb}: ${reply.error.message}`);
    return reply.data as Record<string, unknown>;
  };
}

/** `count` convoys on `rig`, each A → B launched: A is slung (hooked), B waits on it. */
export async function launchChains(call: Call, rig: string, count: number): Promise<Chain[]> {
  const chains: Chain[] = [];
  for (let i = 0; i < count; i++) {
    const a = (await call('bd create', { title: `A${i}`, rig })).id as string;
    const b = (await call('bd create', { title: `B${i}`, rig })).id as string;
    await call('bd dep add', { issue: b, 'depends-on': a });
    await call('gt convoy launch', { ids: [a, b] });
    chains.push({ a, b });
  }
  return chains;
}

/** Times close → dispatch: watches every dispatch subject until `stop()`. */
export function dispatchTimer(nc: NatsConnection, call: Call, prefix = 'gt') {
  const dispatched = new Map<string, () => void>();
  const seen = new Set<string>();
  const sub = nc.subscribe(`${prefix}.dispatch.>`, {
    callback: (_err, msg) => {
      const id = msg.json<{ bead_id: string }>().bead_id;
      seen.add(id);
      dispatched.get(id)?.();
    },
  });
  return {
    /** Resolves once every one of `ids` was dispatched (the launches' first waves: a settled town). */
    async untilDispatched(ids: readonly string[], timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!ids.every((id) => seen.has(id))) {
        if (Date.now() > deadline) throw new Error(`not dispatched within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    /** Closes A and waits for the dispatch message of B; returns milliseconds. */
    async closeAndWait(chain: Chain): Promise<number> {
      const arrived = new Promise<void>((resolve) => dispatched.set(chain.b, resolve));
      const t0 = performance.now();
      await call('bd close', { ids: [chain.a] });
      await arrived;
      dispatched.delete(chain.b);
      return performance.now() - t0;
    },
    stop: () => sub.unsubscribe(),
  };
}
