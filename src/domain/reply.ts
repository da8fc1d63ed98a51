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
  /** How the request arrived, set by the service (never by the caller): a closed set, so metrics stay bounded. */
  source: Source;
  /** Detail for the audit trail: the CLI operator's NATS user, a cron job's lease token. */
  via?: string;
}

export const SOURCES = ['cli', 'agent', 'slack', 'discord', 'cron', 'system'] as const;
export type Source = (typeof SOURCES)[number];

export interface ReplyError {
  /** `unavailable`: the service cannot serve now (its ledger does not answer); retry later (exit 3). */
  kind: DomainError['kind'] | 'internal' | 'unavailable';
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

/** The service is up but its ledger is not answering: the caller should retry, as when no service answers. */
export function unavailable(): Reply {
  return {
    ok: false,
    error: {
      kind: 'unavailable',
      code: 'ledger_unavailable',
      message: 'the service is not ready: its ledger does not answer (see /readyz); retry shortly',
    },
  };
}
