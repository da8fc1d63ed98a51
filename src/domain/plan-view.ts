import type { Bead } from './bead.ts';
import type { PlanFacts } from './plan.ts';
import type { Finding, StagePlan } from './staging.ts';

export interface PlanBeadLine {
  id: string;
  title: string;
  rig: string | null;
  /** What it waits for within the plan. */
  needs: string[];
}

/** What `gt plan show` prints and the plan card draws. Text fields are as written (renderers make them inert). */
export interface PlanView {
  id: string;
  state: PlanFacts['state'];
  goal: string;
  requester: string;
  rigs: string[];
  formula: string | null;
  round: number;
  /** The plan bead's version; a decision compares the convoy's (`convoy.version`) when there is one. */
  version: number;
  convoy: { id: string; title: string; status: string; version: number } | null;
  waves: Array<{ wave: number; beads: PlanBeadLine[] }>;
  /** Beads per rig, and blocking edges among the plan's beads. */
  per_rig: Record<string, number>;
  edges: number;
  gated: string[];
  warnings: Finding[];
  /** Why it ended (closed), or what the last round said when it failed (ready again). */
  note: string | null;
}

export interface PlanViewInput {
  plan: Pick<Bead, 'id' | 'version' | 'status' | 'close_reason'>;
  facts: PlanFacts;
  convoy: Pick<Bead, 'id' | 'title' | 'status' | 'version'> | null;
  stage: Pick<StagePlan, 'waves' | 'gated' | 'warnings'> | null;
  beads: ReadonlyMap<string, Pick<Bead, 'id' | 'title' | 'rig'>>;
  /** Blocking edges among the plan's beads: [dependent, dependency]. */
  blocking: ReadonlyArray<[string, string]>;
  note: string | null;
}

export function planView(i: PlanViewInput): PlanView {
  const needs = new Map<string, string[]>();
  for (const [from, to] of i.blocking) needs.set(from, [...(needs.get(from) ?? []), to]);
  const line = (id: string): PlanBeadLine => {
    const b = i.beads.get(id);
    return { id, title: b?.title ?? '', rig: b?.rig ?? null, needs: needs.get(id) ?? [] };
  };
  const waves = (i.stage?.waves ?? []).map((w) => ({ wave: w.wave, beads: w.issues.map(line) }));
  const perRig: Record<string, number> = {};
  for (const w of waves) for (const b of w.beads) perRig[b.rig ?? 'hq'] = (perRig[b.rig ?? 'hq'] ?? 0) + 1;
  return {
    id: i.plan.id,
    state: i.facts.state,
    goal: i.facts.goal,
    requester: i.facts.requester,
    rigs: i.facts.rigs,
    formula: i.facts.formula,
    round: i.facts.round,
    version: i.plan.version,
    convoy: i.convoy && {
      id: i.convoy.id,
      title: i.convoy.title,
      status: i.convoy.status,
      version: i.convoy.version,
    },
    waves,
    per_rig: perRig,
    edges: i.blocking.length,
    gated: (i.stage?.gated ?? []).map((g) => g.id),
    warnings: i.stage?.warnings ?? [],
    note: i.plan.status === 'closed' ? i.plan.close_reason : i.note,
  };
}

/** The plan as text (the CLI's `gt plan show`). */
export function planText(v: PlanView): string {
  const head = [
    `${v.id} [${v.state}] asked by ${v.requester}${v.round ? `, round ${v.round}` : ''}`,
    `Goal: ${v.goal}`,
    ...(v.rigs.length ? [`Rigs: ${v.rigs.join(', ')}`] : []),
    ...(v.formula ? [`Formula: ${v.formula}`] : []),
    ...(v.convoy ? [`Convoy: ${v.convoy.id} (${v.convoy.status}, version ${v.convoy.version})`] : []),
  ];
  const waves = v.waves.flatMap((w) => [
    `  wave ${w.wave}:`,
    ...w.beads.map(
      (b) =>
        `    ${b.id} ${b.title}${b.rig ? ` (${b.rig})` : ''}${b.needs.length ? ` ← ${b.needs.join(', ')}` : ''}`,
    ),
  ]);
  const tail = [
    ...v.gated.map((g) => `  gated: ${g}`),
    ...v.warnings.map((w) => `  ⚠ [${w.category}] ${w.message}`),
    ...(v.note ? [`Note: ${v.note}`] : []),
  ];
  const next =
    v.state === 'ready' && v.convoy
      ? [
          `Next: gt plan launch ${v.convoy.id} · gt plan revise ${v.convoy.id} -m "…" · gt plan discard ${v.convoy.id}`,
        ]
      : [];
  return [...head, ...waves, ...tail, ...next].join('\n');
}
