import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { SCHEMA, SCHEMA_VERSION } from './schema.ts';

type Params = Record<string, SQLInputValue>;

/**
 * A thin wrapper over one node:sqlite connection: cached prepared statements and a transaction
 * helper. node:sqlite is synchronous, so a transaction body runs to completion without
 * interleaving with other requests on the event loop: that is what makes the SQLite adapter's
 * read-check-write sequences atomic.
 */
export class Database {
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  private readonly arrayStatements = new Map<string, StatementSync>();
  private depth = 0;

  constructor(path: string, options: { synchronous?: 'NORMAL' | 'FULL' } = {}) {
    this.db = new DatabaseSync(path);
    this.db.exec('PRAGMA journal_mode = WAL');
    // NORMAL in WAL mode survives a process crash (kill -9); FULL also survives power loss at a
    // cost of one fsync per commit. GT_SQLITE_SYNC=full selects it.
    this.db.exec(`PRAGMA synchronous = ${options.synchronous ?? 'NORMAL'}`);
    this.db.exec('PRAGMA busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.migrate();
    this.run(`INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', $v)`, {
      v: String(SCHEMA_VERSION),
    });
  }

  /** Columns added after a ledger file was first created (CREATE TABLE IF NOT EXISTS keeps the old shape). */
  private migrate(): void {
    this.addColumn('beads', 'acceptance_criteria', "TEXT NOT NULL DEFAULT ''");
    this.addColumn('rigs', 'env', "TEXT NOT NULL DEFAULT '[]'");
    this.addColumn('rigs', 'merge_policy', 'TEXT'); // NULL: a rig from before, read as LEGACY_MERGE_POLICY
    this.addColumn('rigs', 'mq_frozen', 'TEXT'); // NULL: not frozen (every rig from before)
    this.addColumn('rigs', 'approval_rules', 'TEXT'); // NULL: no rules (every rig from before)
    this.addColumn('rigs', 'account', 'TEXT'); // NULL: its own account (every rig from before)
    this.addColumn('rigs', 'usage_limit', 'TEXT'); // NULL: never paused by a usage limit
    this.addColumn('merge_requests', 'verified_tree', 'TEXT');
    this.addColumn('merge_requests', 'override', 'TEXT');
  }

  private addColumn(table: string, column: string, type: string): void {
    const columns = (this.db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map(
      (c) => c.name,
    );
    if (!columns.includes(column)) this.db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
  }

  private prepare(sql: string): StatementSync {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      // Record-shaped parameter objects carry columns a given statement may not use.
      stmt.setAllowUnknownNamedParameters(true);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  get(sql: string, params: Params = {}): Record<string, unknown> | undefined {
    return this.prepare(sql).get(params) as Record<string, unknown> | undefined;
  }

  all(sql: string, params: Params = {}): Record<string, unknown>[] {
    return this.prepare(sql).all(params) as Record<string, unknown>[];
  }

  /** For statements whose parameter list varies (IN lists): positional parameters. */
  allPositional(sql: string, params: SQLInputValue[]): Record<string, unknown>[] {
    return this.prepare(sql).all(...params) as Record<string, unknown>[];
  }

  /** Rows as arrays of column values: markedly cheaper than objects for large reads. */
  allArrays(sql: string): unknown[][] {
    return this.arrayStatement(sql).all() as unknown as unknown[][];
  }

  /** The same, one row at a time: a read too large to hold at once (every edge of the graph). */
  iterateArrays(sql: string): Iterable<unknown[]> {
    return this.arrayStatement(sql).iterate() as unknown as Iterable<unknown[]>;
  }

  private arrayStatement(sql: string): StatementSync {
    let stmt = this.arrayStatements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      stmt.setReturnArrays(true);
      this.arrayStatements.set(sql, stmt);
    }
    return stmt;
  }

  run(sql: string, params: Params = {}): { changes: number; lastInsertRowid: number } {
    const r = this.prepare(sql).run(params);
    return { changes: Number(r.changes), lastInsertRowid: Number(r.lastInsertRowid) };
  }

  /** Runs `fn` in one IMMEDIATE transaction; nested calls join the outer one. */
  transaction<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.db.exec('BEGIN IMMEDIATE');
    this.depth++;
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    } finally {
      this.depth--;
    }
  }

  close(): void {
    this.statements.clear();
    if (this.db.isOpen) this.db.close();
  }
}
