import type { Bead } from '../../domain/bead.ts';
import { propagateBlocked } from '../../domain/blocking.ts';
import { notFound } from '../../domain/errors.ts';
import { prefixOf } from '../../domain/ids.ts';
import type { LedgerEventType, WriteContext } from '../port.ts';
import type { Database } from './database.ts';
import { SqliteGraphView } from './graph-view.ts';
import { beadFromRow, beadParams } from './rows.ts';

/** Shared write steps of the SQLite adapter; always called inside `db.transaction`. */
export class Writer {
  readonly db: Database;
  readonly view: SqliteGraphView;

  constructor(db: Database) {
    this.db = db;
    this.view = new SqliteGraphView(db);
  }

  find(id: string): Bead | null {
    const row = this.db.get('SELECT * FROM beads WHERE id = $id', { id });
    return row ? beadFromRow(row) : null;
  }

  load(id: string): Bead {
    const bead = this.find(id);
    if (!bead) throw notFound('bead', id);
    return bead;
  }

  insert(bead: Bead): void {
    this.db.run(
      `INSERT INTO beads (id, prefix, title, description, acceptance_criteria, status, priority, issue_type, assignee, labels, parent, rig,
         created_at, created_by, updated_at, closed_at, close_reason, is_blocked, version)
       VALUES ($id, $prefix, $title, $description, $acceptance_criteria, $status, $priority, $issue_type, $assignee, $labels, $parent, $rig,
         $created_at, $created_by, $updated_at, $closed_at, $close_reason, $is_blocked, $version)`,
      beadParams(bead, prefixOf(bead.id)),
    );
  }

  /** Writes a changed bead; the version check makes it a compare-and-swap even inside the transaction. */
  save(bead: Bead, expectedVersion: number): void {
    const { changes } = this.db.run(
      `UPDATE beads SET title = $title, description = $description, acceptance_criteria = $acceptance_criteria, status = $status, priority = $priority,
         issue_type = $issue_type, assignee = $assignee, labels = $labels, parent = $parent, rig = $rig,
         updated_at = $updated_at, closed_at = $closed_at, close_reason = $close_reason, is_blocked = $is_blocked,
         version = $version
       WHERE id = $id AND version = $expected`,
      { ...beadParams(bead, prefixOf(bead.id)), expected: expectedVersion },
    );
    if (changes !== 1) throw new Error(`lost update on ${bead.id}: version ${expectedVersion} changed`);
  }

  event(
    type: LedgerEventType,
    ctx: WriteContext,
    beadId: string | null,
    rig: string | null,
    data = {},
  ): void {
    this.db.run(
      'INSERT INTO events (type, bead_id, rig, actor, at, data) VALUES ($type, $bead_id, $rig, $actor, $at, $data)',
      { type, bead_id: beadId, rig, actor: ctx.actor, at: ctx.now.toISOString(), data: JSON.stringify(data) },
    );
  }

  /** Re-evaluates `is_blocked` from `start` outwards (domain/blocking.ts). */
  propagate(start: Iterable<string>): void {
    propagateBlocked(start, this.view, (id, blocked) => {
      this.db.run('UPDATE beads SET is_blocked = $b WHERE id = $id', { id, b: blocked ? 1 : 0 });
    });
  }
}
