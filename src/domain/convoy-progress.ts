import type { Bead } from './bead.ts';
import { progressOf } from './convoy.ts';
import { MERGING_LABEL } from './merge-request.ts';
import { buildDag, computeWaves, type StageEdge, type Wave } from './staging.ts';
import type { CostSummary } from './usage-costs.ts';

export interface CardItem {
  id: string;
  title: string;
  assignee: string | null;
}

export interface WaveLine {
  wave: number;
  total: number;
  done: number;
  running: number;
}

/** What a convoy card shows, for any platform. */
export interface ConvoyCardModel {
  id: string;
  title: string;
  landed: boolean;
  status: string;
  completed: number;
  total: number;
  waves: WaveLine[];
  running: CardItem[];
  /** Done by their polecats, waiting in the merge queue to land (they close when they do). */
  merging: CardItem[];
  blocked: CardItem[];
  ready: CardItem[];
  done: CardItem[];
  /** What its agents spent (docs/costs.md); null or absent: no usage reported. */
  cost?: CostSummary | null;
}

const item = (b: Bead): CardItem => ({ id: b.id, title: b.title, assignee: b.assignee });
const inFlight = (b: Bead) => b.status === 'hooked' || b.status === 'in_progress';
const merging = (b: Bead) => b.status !== 'closed' && b.labels.includes(MERGING_LABEL);

/** The card of a convoy from its tracked beads (in tracking order), its stage waves and its spend. */
export function convoyCardModel(
  convoy: Bead,
  tracked: readonly Bead[],
  waves: readonly Wave[],
  cost: CostSummary | null = null,
): ConvoyCardModel {
  const byId = new Map(tracked.map((b) => [b.id, b]));
  const { completed, total } = progressOf(tracked);
  const open = tracked.filter((b) => b.status !== 'closed');
  return {
    id: convoy.id,
    title: convoy.title,
    landed: convoy.status === 'closed',
    status: convoy.status,
    completed,
    total,
    waves: waves.map((w) => {
      const beads = w.issues.flatMap((id) => byId.get(id) ?? []);
      return {
        wave: w.wave,
        total: beads.length,
        done: beads.filter((b) => b.status === 'closed').length,
        running: beads.filter(inFlight).length,
      };
    }),
    running: open.filter(inFlight).map(item),
    merging: open.filter(merging).map(item),
    blocked: open
      .filter((b) => !inFlight(b) && !merging(b) && (b.is_blocked || b.status === 'blocked'))
      .map(item),
    ready: open.filter((b) => !inFlight(b) && !b.is_blocked && b.status !== 'blocked').map(item),
    done: tracked.filter((b) => b.status === 'closed').map(item),
    cost,
  };
}

/** `▓▓▓▓▓░░░░░ 5/10` */
export function progressBar(done: number, total: number, width = 20): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return `${'▓'.repeat(filled)}${'░'.repeat(width - filled)} ${done}/${total}`;
}

/**
 * The convoy's waves as planned, whatever has closed since: Kahn layering over every tracked
 * bead (closed ones count as open), so wave numbers stay put while the progress fills them.
 * Blockers outside the convoy do not shape the picture.
 */
export function plannedWaves(tracked: readonly Bead[], edges: readonly StageEdge[]): Wave[] {
  const asPlanned = tracked.map((b) => ({
    ...b,
    status: b.status === 'closed' ? ('open' as const) : b.status,
  }));
  return computeWaves(buildDag(asPlanned, edges), () => false).waves;
}
