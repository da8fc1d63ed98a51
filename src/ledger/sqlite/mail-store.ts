import type { SQLInputValue } from 'node:sqlite';
import { notFound } from '../../domain/errors.ts';
import type { Mail, MailPriority } from '../../domain/mail.ts';
import type { MailMark, WriteContext } from '../port.ts';
import type { Writer } from './writer.ts';

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function mailFromRow(r: Record<string, unknown>): Mail {
  return {
    id: String(r.id),
    from: String(r.sender),
    to: String(r.recipient),
    subject: String(r.subject),
    body: String(r.body),
    priority: String(r.priority) as MailPriority,
    thread_id: String(r.thread_id),
    reply_to: str(r.reply_to),
    to_spawn: str(r.to_spawn),
    created_at: String(r.created_at),
    expires_at: str(r.expires_at),
    read_at: str(r.read_at),
    read_by: str(r.read_by),
    acked_at: str(r.acked_at),
    acked_by: str(r.acked_by),
    archived: Number(r.archived) === 1,
  };
}

/** Mail in SQLite: one row per recipient, written with its `mail_sent` event in one transaction. */
export class MailStore {
  private readonly w: Writer;

  constructor(writer: Writer) {
    this.w = writer;
  }

  put(mail: Mail, ctx: WriteContext): Mail {
    return this.w.db.transaction(() => {
      this.w.db.run(
        `INSERT INTO mail (id, sender, recipient, subject, body, priority, thread_id, reply_to, to_spawn, created_at, expires_at, archived)
         VALUES ($id, $from, $to, $subject, $body, $priority, $thread_id, $reply_to, $to_spawn, $created_at, $expires_at, 0)`,
        { ...mail, archived: null } as unknown as Record<string, SQLInputValue>,
      );
      this.w.event('mail_sent', ctx, null, null, { mail_id: mail.id, to: mail.to, priority: mail.priority });
      return this.get(mail.id) as Mail;
    });
  }

  get(id: string): Mail | null {
    const row = this.w.db.get('SELECT * FROM mail WHERE id = $id', { id });
    return row ? mailFromRow(row) : null;
  }

  list(to: readonly string[], archived: boolean): Mail[] {
    if (to.length === 0) return [];
    const marks = to.map(() => '?').join(', ');
    const sql = `SELECT * FROM mail WHERE recipient IN (${marks}) ${archived ? '' : 'AND archived = 0'} ORDER BY created_at, id`;
    return this.w.db.allPositional(sql, [...to]).map(mailFromRow);
  }

  mark(id: string, mark: MailMark, ctx: WriteContext): Mail {
    return this.w.db.transaction(() => {
      if (!this.get(id)) throw notFound('mail', id);
      const at = ctx.now.toISOString();
      if (mark.read)
        this.w.db.run('UPDATE mail SET read_at = $at, read_by = $by WHERE id = $id AND read_at IS NULL', {
          id,
          at,
          by: ctx.actor,
        });
      if (mark.acked) {
        this.w.db.run('UPDATE mail SET acked_at = $at, acked_by = $by WHERE id = $id AND acked_at IS NULL', {
          id,
          at,
          by: ctx.actor,
        });
      }
      if (mark.archived) this.w.db.run('UPDATE mail SET archived = 1 WHERE id = $id', { id });
      return this.get(id) as Mail;
    });
  }

  thread(threadId: string): Mail[] {
    return this.w.db
      .all('SELECT * FROM mail WHERE thread_id = $t ORDER BY created_at, id', { t: threadId })
      .map(mailFromRow);
  }
}
