import type { Status } from '../../domain/bead.ts';
import type { Slot, SlotHook, WriteContext } from '../port.ts';
import type { Database } from './database.ts';

/** Polecat slots: the (rig, name) primary key makes taking one atomic — two callers never share a name. */
export class SlotStore {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  take(rig: string, beadId: string, names: readonly string[], ctx: WriteContext): string | null {
    return this.db.transaction(() => {
      for (const name of names) {
        const { changes } = this.db.run(
          'INSERT OR IGNORE INTO slots (rig, name, bead_id, taken_at) VALUES ($rig, $name, $bead, $at)',
          { rig, name, bead: beadId, at: ctx.now.toISOString() },
        );
        if (changes === 1) return name;
      }
      return null;
    });
  }

  /** Only while still held for `beadId`. */
  free(rig: string, name: string, beadId: string): boolean {
    const { changes } = this.db.run(
      'DELETE FROM slots WHERE rig = $rig AND name = $name AND bead_id = $bead',
      {
        rig,
        name,
        bead: beadId,
      },
    );
    return changes === 1;
  }

  list(rig: string): Slot[] {
    return this.db.all('SELECT * FROM slots WHERE rig = $rig ORDER BY name', { rig }).map((r) => ({
      rig: String(r.rig),
      name: String(r.name),
      bead_id: String(r.bead_id),
      taken_at: String(r.taken_at),
    }));
  }

  /** Every slot with its bead's hook state, in one read (the witness's snapshot). */
  hooks(): SlotHook[] {
    const rows = this.db.allArrays(
      `SELECT s.rig, s.name, s.bead_id, s.taken_at, b.status, b.assignee, b.labels, b.updated_at
       FROM slots s LEFT JOIN beads b ON b.id = s.bead_id ORDER BY s.rig, s.name`,
    );
    return rows.map(([rig, name, bead_id, taken_at, status, assignee, labels, updated_at]) => ({
      rig: String(rig),
      name: String(name),
      bead_id: String(bead_id),
      taken_at: String(taken_at),
      bead:
        status === null
          ? null
          : {
              id: String(bead_id),
              status: status as Status,
              assignee: (assignee as string | null) ?? null,
              labels: JSON.parse(String(labels)) as string[],
              updated_at: String(updated_at),
            },
    }));
  }
}
