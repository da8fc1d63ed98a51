import type { Args } from '../../commands/syntax.ts';
import { approvalFacts, stateOf } from '../../domain/approval.ts';
import { callDetail } from '../../domain/approval-call.ts';
import type { Bead } from '../../domain/bead.ts';
import { oneLine } from './queue-model.ts';

/**
 * A click on a permission request's card, at the version the card showed it at (the verb
 * refuses the click when the request moved since: decided by someone else, timed out).
 */
export type ApprovalAction = 'allow' | 'always' | 'deny';

export interface ApprovalClick {
  id: string;
  version: number;
  action: ApprovalAction;
}

export interface ApprovalButton {
  label: string;
  click: ApprovalClick;
  style: 'primary' | 'danger' | null;
}

/** Text here is as written (commands, file contents, titles): each renderer makes it inert. */
export interface ApprovalCardModel {
  id: string;
  rig: string;
  /** The polecat asking, and the bead on its hook. */
  agent: string;
  bead: string;
  /** The hooked bead's title (null: the bead is gone). */
  work: string | null;
  tool: string;
  /** What the call acts on — the command, the file, the URL — exactly as it would run. */
  subject: string;
  /** The change itself (an edit's diff, a file's content), null when the subject says it all. */
  detail: string | null;
  /** Part of the input had to be cut to be shown: no "always" then. */
  truncated: boolean;
  deadline: string;
  /** Open: a person's turn. Closed: `outcome` and `closed` say how it ended. */
  status: 'open' | 'closed';
  outcome: 'allow' | 'deny' | null;
  closed: string | null;
  buttons: ApprovalButton[];
}

/** The card of a permission request, from its bead and the bead the agent works on. */
export function approvalCardModel(request: Bead, work: Pick<Bead, 'title'> | null): ApprovalCardModel {
  const f = approvalFacts(request);
  const decided = f.decision !== null;
  const click = (action: ApprovalAction): ApprovalClick => ({ id: f.id, version: f.version, action });
  return {
    id: f.id,
    rig: f.rig,
    agent: f.agent,
    bead: f.bead,
    work: work ? oneLine(work.title) : null,
    tool: f.tool,
    subject: f.subject,
    detail: callDetail(f.tool, f.input),
    truncated: f.truncated,
    deadline: f.deadline,
    status: decided ? 'closed' : 'open',
    outcome: decided ? (stateOf(f.decision) as 'allow' | 'deny') : null,
    closed: decided ? oneLine(f.reason) || f.decision : null,
    buttons: decided
      ? []
      : [
          { label: 'Allow once', click: click('allow'), style: 'primary' },
          // Nobody saw all of a cut input: it cannot become a rule.
          ...(f.truncated
            ? []
            : [{ label: `Always allow for rig ${f.rig}`, click: click('always'), style: null } as const]),
          { label: 'Deny', click: click('deny'), style: 'danger' },
        ],
  };
}

/** `approval:<id>:<version>:<action>` (ids hold no `:`). */
export const encodeApprovalClick = (c: ApprovalClick): string => `approval:${c.id}:${c.version}:${c.action}`;

const TOKEN = /^[A-Za-z0-9._-]{1,64}$/;
const ACTIONS: readonly string[] = ['allow', 'always', 'deny'];

/** The click a button value names, or null for anything else (a forged or foreign value). */
export function parseApprovalClick(value: string): ApprovalClick | null {
  const parts = value.split(':');
  if (parts.length !== 4 || parts[0] !== 'approval') return null;
  const [, id = '', version = '', action = ''] = parts;
  if (!TOKEN.test(id) || !/^\d{1,15}$/.test(version) || !ACTIONS.includes(action)) return null;
  return { id, version: Number(version), action: action as ApprovalAction };
}

/** The note kept with an allow made on the card (the actor is on the record anyway). */
export const FROM_CHAT = 'from chat';

/**
 * The command a click runs, as the clicking person, through the one command layer (which
 * authorizes it — `agent:approve` in the request's rig —, applies it by compare-and-swap on the
 * version and audits it).
 */
export function approvalClickCommand(c: ApprovalClick): { verb: string; args: Args } {
  const at = { id: c.id, version: String(c.version) };
  if (c.action === 'deny') return { verb: 'gt approval deny', args: at };
  if (c.action === 'always') return { verb: 'gt approval allow', args: { ...at, always: true } };
  return { verb: 'gt approval allow', args: { ...at, message: FROM_CHAT } };
}
