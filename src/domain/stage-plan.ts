import { isSlingableType } from './convoy.ts';
import {
  buildDag,
  CAPACITY_WARNING,
  computeWaves,
  type Finding,
  firstCycle,
  type StageEdge,
  type StageNode,
  type StagePlan,
} from './staging.ts';

export interface StageInput {
  nodes: readonly StageNode[];
  edges: readonly StageEdge[];
  /** Orphan warnings only make sense when an epic defined the set. */
  epicInput: boolean;
  parkedRigs: ReadonlySet<string>;
  /** Whether a blocker outside the staged set is still open. */
  isOpenOutside: (id: string) => boolean;
}

/** The whole `gt convoy stage` analysis: errors first (nothing is created), then waves and warnings. */
export function planStage(input: StageInput): StagePlan {
  const dag = buildDag(input.nodes, input.edges);
  const work = input.nodes.filter((n) => isSlingableType(n.issue_type) && n.status !== 'closed');
  const slingable = input.nodes
    .filter((n) => isSlingableType(n.issue_type))
    .map((n) => n.id)
    .sort();
  const errors = stageErrors(dag, work);
  if (errors.length > 0) return { status: 'error', waves: [], gated: [], warnings: [], errors, slingable };
  const { waves, gated } = computeWaves(dag, input.isOpenOutside);
  const warnings = [
    ...(input.epicInput ? orphans(work, input.edges) : []),
    ...blockedRigs(work, input.parkedRigs),
    ...crossRig(work),
    ...waves.filter((w) => w.issues.length > CAPACITY_WARNING).map(capacityFinding),
    ...gated.map(
      (g): Finding => ({
        category: 'gated',
        bead_ids: [g.id],
        message: g.gated_by.length
          ? `${g.id} waits on open non-slingable work: ${g.gated_by.join(', ')}`
          : `${g.id} waits on gated work`,
        suggested_fix: g.gated_by.length
          ? `close ${g.gated_by.join(', ')} to include ${g.id} in the waves`
          : 'resolve its gated blockers',
      }),
    ),
  ];
  return {
    status: warnings.length > 0 ? 'staged_warnings' : 'staged_ready',
    waves,
    gated,
    warnings,
    errors: [],
    slingable,
  };
}

function stageErrors(dag: ReturnType<typeof buildDag>, work: readonly StageNode[]): Finding[] {
  const errors: Finding[] = [];
  const cycle = firstCycle(dag);
  if (cycle) {
    errors.push({
      category: 'cycle',
      bead_ids: [...new Set(cycle)].sort(),
      message: `dependency cycle detected: ${cycle.join(' → ')}`,
      suggested_fix: 'remove one blocking dependency in the chain (bd dep remove)',
    });
  }
  const noRig = work.filter((n) => n.rig === null).map((n) => n.id);
  if (noRig.length > 0) {
    errors.push({
      category: 'no-rig',
      bead_ids: noRig,
      message: `town-level beads cannot be slung: ${noRig.join(', ')}`,
      suggested_fix: 'create the work in a rig (bd create --rig R) or leave these beads out',
    });
  }
  if (work.length === 0 && errors.length === 0) {
    errors.push({
      category: 'no-rig',
      bead_ids: [],
      message: 'nothing to stage: no open task, bug, feature or chore in the set',
      suggested_fix: 'stage an epic with slingable children, or name open beads',
    });
  }
  return errors;
}

function orphans(work: readonly StageNode[], edges: readonly StageEdge[]): Finding[] {
  const linked = new Set(
    edges
      .filter((e) => e.type !== 'parent-child' && e.type !== 'related')
      .flatMap((e) => [e.issue_id, e.depends_on_id]),
  );
  const isolated = work.filter((n) => !linked.has(n.id)).map((n) => n.id);
  if (work.length < 2 || isolated.length === 0) return [];
  return [
    {
      category: 'orphan',
      bead_ids: isolated,
      message: `not connected to any other bead by a dependency: ${isolated.join(', ')}`,
      suggested_fix: 'add a blocking dependency, or confirm it can run on its own',
    },
  ];
}

function blockedRigs(work: readonly StageNode[], parked: ReadonlySet<string>): Finding[] {
  const byRig = new Map<string, string[]>();
  for (const n of work) if (n.rig && parked.has(n.rig)) byRig.set(n.rig, [...(byRig.get(n.rig) ?? []), n.id]);
  return [...byRig.entries()].sort().map(([rig, ids]) => ({
    category: 'blocked-rig' as const,
    bead_ids: ids,
    message: `rig ${rig} is parked: ${ids.join(', ')} cannot be dispatched`,
    suggested_fix: `gt rig unpark ${rig}`,
  }));
}

function crossRig(work: readonly StageNode[]): Finding[] {
  const counts = new Map<string, number>();
  for (const n of work) if (n.rig) counts.set(n.rig, (counts.get(n.rig) ?? 0) + 1);
  if (counts.size < 2) return [];
  const [primary] = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] as [
    string,
    number,
  ];
  const others = work.filter((n) => n.rig && n.rig !== primary).map((n) => n.id);
  return [
    {
      category: 'cross-rig',
      bead_ids: others,
      message: `work spans ${counts.size} rigs (primary ${primary}); also: ${others.join(', ')}`,
      suggested_fix: 'fine for cross-rig convoys; otherwise move the beads to one rig',
    },
  ];
}

const capacityFinding = (w: { wave: number; issues: string[] }): Finding => ({
  category: 'capacity',
  bead_ids: w.issues,
  message: `wave ${w.wave} has ${w.issues.length} beads (more than ${CAPACITY_WARNING} run at once)`,
});
