import {
  type ApprovalDecision,
  type ApprovalFacts,
  type ApprovalState,
  approvalFacts,
  denialMessage,
  isApproval,
  isOverdue,
  stateOf,
} from '../../domain/approval.ts';
import type { Bead } from '../../domain/bead.ts';
import { conflict, refused } from '../../domain/errors.ts';
import { parseId } from '../../domain/validation.ts';
import type { Ledger } from '../../ledger/port.ts';

/**
 * What the asking agent hears (`gt approval request|wait|expire`): allowed, denied (with the
 * message its model reads), or still pending (ask `gt approval wait <id>` again). `id` is null
 * when a rule of the rig's allow-list answered at once and no request was recorded.
 */
export interface ApprovalAnswer {
  id: string | null;
  state: ApprovalState;
  /** How it was decided (`rule`: the allow-list); null while pending. */
  decision: ApprovalDecision | 'rule' | null;
  /** Deny: what the agent's model reads; allow: who or what allowed it; pending: null. */
  message: string | null;
  /** The rule that answered (approval-rules.ts ruleText), when one did. */
  rule: string | null;
  /** When the agent stops waiting (null: answered by a rule). */
  deadline: string | null;
}

export function answerOf(f: ApprovalFacts): ApprovalAnswer {
  const state = stateOf(f.decision);
  return {
    id: f.id,
    state,
    decision: f.decision,
    message: state === 'deny' ? denialMessage(f) : state === 'allow' ? f.reason || 'Allowed' : null,
    rule: null,
    deadline: f.deadline,
  };
}

export const answerText = (a: ApprovalAnswer): string =>
  a.state === 'pending'
    ? `${a.id}: waiting for a person until ${a.deadline}; ask again with gt approval wait ${a.id}`
    : `${a.id ?? 'no request'}: ${a.state === 'allow' ? 'allowed' : 'denied'} — ${a.message}`;

/** The request `raw` names, with its labels read out; refused when it is not one. */
export async function loadApproval(
  ledger: Ledger,
  raw: string,
): Promise<{ bead: Bead; facts: ApprovalFacts }> {
  const id = parseId(raw.trim(), 'approval request');
  const bead = await ledger.getBead(id);
  if (!bead || !isApproval(bead))
    throw refused('not_found', `approval request ${id} not found; see gt approval list --all`);
  return { bead, facts: approvalFacts(bead) };
}

/**
 * A person's decision needs a request still waiting: not decided (by someone else, a rule, the
 * clock) and not past its deadline — the agent was told no then, and a late "allow" would lie.
 */
export function assertDecidable(f: ApprovalFacts, now: Date): void {
  if (f.decision !== null)
    throw conflict(
      'already_decided',
      `${f.id} was already decided (${f.reason || f.decision}); nothing changed`,
    );
  if (isOverdue(f, now))
    throw conflict(
      'expired',
      `${f.id} expired at ${f.deadline}: the agent was already told no, so nothing changed; it may ask again`,
    );
}
