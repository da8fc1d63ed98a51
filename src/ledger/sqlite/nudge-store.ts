import type { Nudge } from '../../domain/nudge.ts';
import type { Database } from './database.ts';

const fromRow = (r: Record<string, unknown>): Nudge => ({
  id: String(r.id),
  to: String(r.recipient),
  from: String(r.sender),
  message: String(r.message),
  urgent: Number(r.urgent) === 1,
  created_at: String(r.created_at),
  expires_at: String(r.expires_at),
});

/** Queued nudges in SQLite; queue-and-trim and take-and-delete are single transactions. */
export class NudgeStore {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  queue(n: Nudge, max: number): string[] {
    return this.db.transaction(() => {
      this.db.run(
        `INSERT INTO nudges (id, recipient, sender, message, urgent, created_at, expires_at)
         VALUES ($id, $to, $from, $message, $urgent, $created_at, $expires_at)`,
        { ...n, urgent: n.urgent ? 1 : 0 },
      );
      const excess = this.db
        .all(
          'SELECT id FROM nudges WHERE recipient = $to ORDER BY created_at DESC, id DESC LIMIT -1 OFFSET $max',
          { to: n.to, max },
        )
        .map((r) => String(r.id));
      for (const id of excess) this.db.run('DELETE FROM nudges WHERE id = $id', { id });
      return excess;
    });
  }

  take(to: string, now: Date): Nudge[] {
    return this.db.transaction(() => {
      const all = this.db
        .all('SELECT * FROM nudges WHERE recipient = $to ORDER BY created_at, id', { to })
        .map(fromRow);
      this.db.run('DELETE FROM nudges WHERE recipient = $to', { to });
      return all.filter((n) => n.expires_at > now.toISOString());
    });
  }
}
