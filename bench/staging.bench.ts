/**
 * Staging benchmark (issue 3): the wave computation of `gt convoy stage` over a random layered DAG
 * of 10,000 beads and 30,000 blocking edges. Target: ≤ 200 ms.
 *
 *   node bench/staging.bench.ts [--quick]
 */
import { planStage } from '../src/domain/stage-plan.ts';
import type { StageEdge, StageNode } from '../src/domain/staging.ts';
import { mergeResults, writeSection } from './report.ts';
import { describeMachine, percentile, type ResultRow, round } from './stats.ts';

const quick = process.argv.includes('--quick');
const BEADS = 10_000;
const EDGES = 30_000;
const LAYERS = 50;
const RUNS = quick ? 5 : 20;

function layeredDag(seed: number): { nodes: StageNode[]; edges: StageEdge[] } {
  let s = seed >>> 0;
  const random = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const perLayer = BEADS / LAYERS;
  const nodes: StageNode[] = Array.from({ length: BEADS }, (_, i) => ({
    id: `al-${i.toString(36).padStart(4, '0')}`,
    title: `bead ${i}`,
    issue_type: 'task',
    status: 'open',
    rig: i % 3 === 0 ? 'beta' : 'alpha',
  }));
  const edges: StageEdge[] = [];
  const seen = new Set<string>();
  while (edges.length < EDGES) {
    // A bead in layer L > 0 depends on a bead of an earlier layer: acyclic by construction.
    const to = Math.floor(perLayer + random() * (BEADS - perLayer));
    const from = Math.floor(random() * Math.floor(to / perLayer) * perLayer);
    const key = `${to}>${from}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push({
      issue_id: nodes[to]?.id as string,
      depends_on_id: nodes[from]?.id as string,
      type: 'blocks',
    });
  }
  return { nodes, edges };
}

const { nodes, edges } = layeredDag(7);
const samples: number[] = [];
let waves = 0;
for (let i = 0; i < RUNS + 2; i++) {
  const t0 = performance.now();
  const plan = planStage({
    nodes,
    edges,
    epicInput: false,
    parkedRigs: new Set(),
    isOpenOutside: () => false,
  });
  const ms = performance.now() - t0;
  if (plan.status === 'error') throw new Error('the generated DAG must stage');
  waves = plan.waves.length;
  if (i >= 2) samples.push(ms); // two warm-up runs
}
const median = round(percentile(samples, 50), 1);
const p99 = round(percentile(samples, 99), 1);
const row: ResultRow = {
  name: 'staging.plan_10k_30k',
  value: median,
  unit: 'ms',
  target: '<= 200 ms',
  met: median <= 200,
  median,
  p99,
};
writeSection(
  'BENCHMARKS.md',
  'staging',
  [
    '## Staging (`npm run bench:staging`)',
    '',
    `Machine: ${describeMachine()}. Date: ${new Date().toISOString().slice(0, 10)}. ${RUNS} runs after 2 warm-ups.`,
    '',
    '| measure | size | median | p99 | target | met |',
    '|---|---|---|---|---|---|',
    `| stage plan (cycle check, Kahn waves, findings) | ${BEADS} beads, ${EDGES} blocking edges, ${LAYERS} layers → ${waves} waves | ${median} ms | ${p99} ms | ≤ 200 ms | ${row.met ? 'yes' : '**no**'} |`,
  ].join('\n'),
);
mergeResults('bench/results.json', [row]);
console.log(JSON.stringify(row));
