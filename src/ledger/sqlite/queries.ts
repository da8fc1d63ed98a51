import type { SQLInputValue } from 'node:sqlite';
import type { Bead, IssueType, Status } from '../../domain/bead.ts';
import { blockedBy } from '../../domain/blocking.ts';
import type { TrackedState } from '../../domain/convoy.ts';
import type { Dependency } from '../../domain/dependency.ts';
import { DEFAULT_READY_LIMIT, NOT_READY_TYPES, type ReadyFilter } from '../../domain/readiness.ts';
import type { BeadCount, BeadFilter, BlockedBead, Comment } from '../port.ts';
import { scanCycles } from './cycle-scan.ts';
import type { Database } from './database.ts';
import type { SqliteGraphView } from './graph-view.ts';
import { beadFromRow, depFromRow } from './rows.ts';

/** Read-side queries. Filters are built from fixed SQL fragments with bound values only. */
export class Queries {
  private readonly db: Database;
  private readonly view: SqliteGraphView;

  constructor(db: Database, view: SqliteGraphView) {
    this.db = db;
    this.view = view;
  }

  listBeads(filter: BeadFilter): Bead[] {
    const where: string[] = [];
    const params: SQLInputValue[] = [];
    const add = (sql: string, ...values: SQLInputValue[]) => {
      where.push(sql);
      params.push(...values);
    };
    if (filter.status && filter.status.length > 0) {
      add(`status IN (${filter.status.map(() => '?').join(', ')})`, ...filter.status);
    } else if (!filter.all) add(`status NOT IN ('closed', 'pinned')`);
    if (filter.rig !== undefined) add('rig = ?', filter.rig);
    if (filter.issue_type !== undefined) add('issue_type = ?', filter.issue_type);
    if (filter.assignee !== undefined) add('assignee = ?', filter.assignee);
    if (filter.parent !== undefined) add('parent = ?', filter.parent);
    if (filter.label !== undefined)
      add('EXISTS (SELECT 1 FROM json_each(beads.labels) WHERE value = ?)', filter.label);
    if (filter.ids !== undefined)
      add(`id IN (${filter.ids.map(() => '?').join(', ') || "''"})`, ...filter.ids);
    if (filter.after !== undefined) {
      const { priority: p, created_at: c, id } = filter.after;
      // The ORDER BY below, as a condition: strictly after the cursor bead.
      add(
        '(priority > ? OR (priority = ? AND (created_at < ? OR (created_at = ? AND id > ?))))',
        p,
        p,
        c,
        c,
        id,
      );
    }
    const limit = filter.limit && filter.limit > 0 ? `LIMIT ${Math.floor(filter.limit)}` : '';
    const sql = `SELECT * FROM beads ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY priority, created_at DESC, id ${limit}`;
    return this.db.allPositional(sql, params).map(beadFromRow);
  }

  listReady(filter: ReadyFilter): Bead[] {
    const limit = filter.limit ?? DEFAULT_READY_LIMIT;
    const excluded = NOT_READY_TYPES.map((t) => `'${t}'`).join(', ');
    const params: SQLInputValue[] = [];
    let rig = '';
    if (filter.rig !== undefined) {
      rig = 'AND rig = ?';
      params.push(filter.rig);
    }
    const sql = `SELECT * FROM beads
      WHERE status = 'open' AND is_blocked = 0 AND (assignee IS NULL OR assignee = '')
        AND issue_type NOT IN (${excluded}) ${rig}
      ORDER BY priority, created_at, id ${limit > 0 ? `LIMIT ${Math.floor(limit)}` : ''}`;
    return this.db.allPositional(sql, params).map(beadFromRow);
  }

  listBlocked(filter: { rig?: string }): BlockedBead[] {
    const params: SQLInputValue[] = [];
    let rig = '';
    if (filter.rig !== undefined) {
      rig = 'AND rig = ?';
      params.push(filter.rig);
    }
    const sql = `SELECT * FROM beads WHERE is_blocked = 1 AND status NOT IN ('closed', 'pinned') ${rig}
      ORDER BY priority, created_at DESC, id`;
    return this.db
      .allPositional(sql, params)
      .map(beadFromRow)
      .map((b) => ({ ...b, blocked_by: blockedBy(b.id, this.view) }));
  }

  dependenciesOf(id: string): Dependency[] {
    return this.db
      .all('SELECT * FROM deps WHERE issue_id = $id ORDER BY depends_on_id', { id })
      .map(depFromRow);
  }

  dependentsOf(id: string): Dependency[] {
    return this.db
      .all('SELECT * FROM deps WHERE depends_on_id = $id ORDER BY issue_id', { id })
      .map(depFromRow);
  }

  findCycles(): string[][] {
    return scanCycles(this.db);
  }

  listComments(id: string): Comment[] {
    return this.db
      .all('SELECT * FROM comments WHERE issue_id = $id ORDER BY created_at, id', { id })
      .map((r) => ({
        id: String(r.id),
        issue_id: String(r.issue_id),
        author: String(r.author),
        text: String(r.text),
        created_at: String(r.created_at),
      }));
  }

  /** Tracked, not-closed beads of every open convoy, grouped by convoy (the stranded scan's one read). */
  listOpenConvoyTracks(): Map<string, TrackedState[]> {
    const rows = this.db.allArrays(
      `SELECT d.issue_id, b.id, b.status, b.assignee, b.is_blocked, b.issue_type, b.rig
       FROM beads c
       JOIN deps d ON d.issue_id = c.id AND d.type = 'tracks'
       JOIN beads b ON b.id = d.depends_on_id
       WHERE c.issue_type = 'convoy' AND c.status = 'open' AND b.status != 'closed'`,
    );
    const byConvoy = new Map<string, TrackedState[]>();
    for (const [convoy, id, status, assignee, blocked, type, rig] of rows) {
      const tracked = byConvoy.get(convoy as string) ?? [];
      if (tracked.length === 0) byConvoy.set(convoy as string, tracked);
      tracked.push({
        id: id as string,
        status: status as Status,
        assignee: (assignee as string | null) ?? null,
        is_blocked: Number(blocked) === 1,
        issue_type: type as IssueType,
        rig: (rig as string | null) ?? null,
      });
    }
    return byConvoy;
  }

  countBeads(): BeadCount[] {
    return this.db
      .allArrays('SELECT issue_type, status, COUNT(*) FROM beads GROUP BY issue_type, status')
      .map(([issue_type, status, count]) => ({
        issue_type: String(issue_type),
        status: String(status),
        count: Number(count),
      }));
  }
}
