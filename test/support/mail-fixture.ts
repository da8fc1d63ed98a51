import type { Mail } from '../../src/domain/mail.ts';

/** A complete unread mail from the mayor to alpha/Toast, for ledger contract tests and benchmarks. */
export const mailFixture = (id: string, over: Partial<Mail> = {}): Mail => ({
  id,
  from: 'mayor/',
  to: 'alpha/Toast',
  subject: `subject ${id}`,
  body: 'body',
  priority: 'normal',
  thread_id: id,
  reply_to: null,
  to_spawn: null,
  created_at: `2026-11-22T10:00:0${id.length % 10}.000Z`,
  expires_at: null,
  read_at: null,
  read_by: null,
  acked_at: null,
  acked_by: null,
  archived: false,
  ...over,
});
