import type { Bead } from '../../src/domain/bead.ts';
import type { Wave } from '../../src/domain/staging.ts';

const AT = '2026-12-02T04:00:00.000Z';

/** A complete bead with defaults, for renderer tests and benchmarks. */
export const beadFixture = (over: Partial<Bead>): Bead => ({
  id: 'al-x1',
  title: 'Work',
  description: '',
  acceptance_criteria: '',
  status: 'open',
  priority: 2,
  issue_type: 'task',
  assignee: null,
  labels: [],
  parent: null,
  rig: 'alpha',
  created_at: AT,
  created_by: 'mayor',
  updated_at: AT,
  closed_at: null,
  close_reason: '',
  is_blocked: false,
  version: 3,
  ...over,
});

/** A 1,000-bead convoy in 20 waves: 400 done, 100 running, 300 blocked, 200 ready. */
export function bigConvoy(): { convoy: Bead; tracked: Bead[]; waves: Wave[] } {
  const tracked = Array.from({ length: 1000 }, (_, i) =>
    beadFixture({
      id: `al-${i.toString(36).padStart(3, '0')}`,
      title: `A fairly long bead title number ${i} that describes the work to be done in some detail`,
      status: i < 400 ? 'closed' : i < 500 ? 'hooked' : 'open',
      assignee: i >= 400 && i < 500 ? `alpha/Polecat${i}` : null,
      is_blocked: i >= 500 && i < 800,
    }),
  );
  const waves = Array.from({ length: 20 }, (_, w) => ({
    wave: w + 1,
    issues: tracked.slice(w * 50, w * 50 + 50).map((b) => b.id),
  }));
  return {
    convoy: beadFixture({ id: 'hq-cv-big', title: 'Big migration', issue_type: 'convoy' }),
    tracked,
    waves,
  };
}
