import type { PolecatRow } from '../commands/gt/polecats.ts';
import type { CommandRegistry } from '../commands/registry.ts';
import { escalationView } from '../domain/escalation.ts';
import { isPaused } from '../domain/usage-limit.ts';
import type { Ledger } from '../ledger/port.ts';
import type { TownSnapshot } from './metrics.ts';

const METRICS_ACTOR = { kind: 'system', id: 'metrics' } as const;

/**
 * The town's state for the /metrics gauges, read at scrape time: bead and convoy counts in one
 * grouped read, open escalations by severity, polecats by the witness's verdict (through
 * `gt polecats`, so the verdicts are the same ones operators see), and rigs a usage limit pauses.
 */
export function townReader(
  ledger: Ledger,
  registry: CommandRegistry,
  clock: () => Date = () => new Date(),
): () => Promise<TownSnapshot> {
  return async () => {
    const counts = await ledger.countBeads();
    const escalations = await ledger.listBeads({ issue_type: 'escalation' });
    const waiting = await ledger.listMergeRequests({ status: ['queued', 'verifying'] });
    const now = clock();
    const usageLimitedRigs = (await ledger.listRigs()).filter((r) => isPaused(r.usage_limit, now)).length;
    const polecats = await registry.execute({
      verb: 'gt polecats',
      args: {},
      actor: METRICS_ACTOR,
      source: 'system',
    });
    return {
      beads: sum(
        counts.filter((c) => c.issue_type !== 'convoy'),
        (c) => ({ status: c.status }),
        (c) => c.count,
      ),
      convoys: sum(
        counts.filter((c) => c.issue_type === 'convoy'),
        (c) => ({ status: c.status }),
        (c) => c.count,
      ),
      escalationsOpen: sum(
        escalations,
        (e) => ({ severity: escalationView(e).severity }),
        () => 1,
      ),
      mqDepth: sum(
        waiting,
        (m) => ({ rig: m.rig }),
        () => 1,
      ),
      polecats: polecats.ok
        ? sum(
            polecats.data as PolecatRow[],
            (p) => ({ rig: p.rig, verdict: p.verdict }),
            () => 1,
          )
        : [],
      usageLimitedRigs,
    };
  };
}

/** Groups items by the labels `key` gives them and adds up `value`. */
function sum<T, K extends Record<string, string>>(
  items: readonly T[],
  key: (t: T) => K,
  value: (t: T) => number,
): Array<K & { count: number }> {
  const groups = new Map<string, K & { count: number }>();
  for (const item of items) {
    const labels = key(item);
    const id = JSON.stringify(labels);
    const group = groups.get(id) ?? { ...labels, count: 0 };
    group.count += value(item);
    groups.set(id, group);
  }
  return [...groups.values()];
}
