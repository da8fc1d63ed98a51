import type { Actor } from './actor.ts';
import { DomainError } from './errors.ts';

/**
 * The command layer's wire types: what a caller sends (Invocation) and gets back (Reply). They
 * are JSON-safe and shared by every transport (NATS API, chat, HTTP), so they live here rather
 * than in any one of them.
 */
export interface Invocation {
  verb: string;
  args: unknown;
  actor: Actor;
  source: string;
}

export interface ReplyError {
  kind: DomainError['kind'] | 'internal';
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export type Reply = { ok: true; data: unknown; errors?: string[] } | { ok: false; error: ReplyError };

/** A refusal as a Reply; anything that is not a DomainError is reported as internal, without detail. */
export function failure(err: unknown): Reply {
  if (err instanceof DomainError) {
    const error: ReplyError = { kind: err.kind, code: err.code, message: err.message };
    if (Object.keys(err.details).length > 0) error.details = err.details;
    return { ok: false, error };
  }
  return {
    ok: false,
    error: { kind: 'internal', code: 'internal', message: 'internal error; see the service log' },
  };
}
