import { callSubject } from './approval-call.ts';
import type { Bead } from './bead.ts';
import { usageError } from './errors.ts';

/**
 * Approval requests (issue 18 item 5): an agent CLI asks whether it may use a tool (Claude
 * Code's `--permission-prompt-tool`, served by src/agent/permission-server/), and a person — or a
 * rule of the rig's allow-list (approval-rules.ts) — answers.
 *
 * A request is a town-level `decision` bead labelled `gt:approval`, like a plan: a person decides
 * it, nobody slings it, and being town-level no rig's ready queue ever offers it to a polecat.
 * Both ledgers hold and query it the same way, with no table of its own; it is acknowledged (and
 * survives a restart of the service) once the bead is written. What was asked is its description
 * (JSON: `tool_name`, `input`, `tool_use_id`); the machine state is in labels:
 *
 *  - `approval-agent:<address>`, `approval-bead:<id>`, `approval-rig:<rig>`: who asked, for which
 *    hooked bead, and so in which rig people decide it;
 *  - `approval-use:<tool_use_id>`: the agent's own id of the call — asking again with it (a retry
 *    after a lost reply) finds the same request;
 *  - `approval-deadline:<iso>`: when the agent stops waiting and is told no;
 *  - `approval-truncated`: the input was too large to show whole (no rule may answer it);
 *  - `approval-decision:allow|always|deny|timeout`: set in the compare-and-swap that decides it,
 *    before the bead is closed with the human-readable reason (`Allowed by …`, `Denied by …: why`).
 */
export const APPROVAL_LABEL = 'gt:approval';
export const TRUNCATED_LABEL = 'approval-truncated';
const AGENT = 'approval-agent:';
const BEAD = 'approval-bead:';
const RIG = 'approval-rig:';
const USE = 'approval-use:';
const DEADLINE = 'approval-deadline:';
const DECISION = 'approval-decision:';

export const DECISIONS = ['allow', 'always', 'deny', 'timeout'] as const;
export type ApprovalDecision = (typeof DECISIONS)[number];

/** How a request ended, for the metric: by a person (once, or adding a rule), by a rule, or by the clock. */
export type ApprovalOutcome = 'allow_once' | 'allow_always' | 'allow_rule' | 'deny' | 'timeout';

/** What the agent hears: go ahead, no, or (not decided yet) ask again. */
export type ApprovalState = 'pending' | 'allow' | 'deny';

export const DEFAULT_TIMEOUT_S = 300;
/**
 * The longest `gt approval wait` holds its answer: well inside the 30 s a CLI waits for one, and
 * short, because a wait the service took down with it (a restart) is only noticed when its
 * request times out.
 */
export const MAX_WAIT_S = 10;
export const MAX_TIMEOUT_S = 24 * 3600;
const TOOL_NAME = /^[A-Za-z0-9_.:-]{1,200}$/;
const TOOL_USE_ID = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * A request `gt approval request` made: its author is the agent its labels name. A look-alike
 * someone filed with `bd create` (the labels copied, another author) is not one — no card, no
 * decision — so nobody can put words in an agent's mouth for a person to approve.
 */
export const isApproval = (b: Pick<Bead, 'issue_type' | 'labels' | 'created_by'>): boolean =>
  b.issue_type === 'decision' &&
  b.labels.includes(APPROVAL_LABEL) &&
  b.labels.includes(`${AGENT}${b.created_by}`);

export const useLabel = (toolUseId: string): string => `${USE}${toolUseId}`;
export const decisionLabel = (d: ApprovalDecision): string => `${DECISION}${d}`;
export const rigLabel = (rig: string): string => `${RIG}${rig}`;

export function parseToolName(raw: unknown): string {
  if (typeof raw === 'string' && TOOL_NAME.test(raw)) return raw;
  throw usageError(
    'invalid_tool',
    `--tool ${JSON.stringify(raw)} is not a tool name; give the name the agent CLI uses, e.g. Bash or mcp__server__tool`,
  );
}

export function parseToolUseId(raw: string | undefined): string | null {
  if (raw === undefined || raw === '') return null;
  if (TOOL_USE_ID.test(raw)) return raw;
  throw usageError(
    'invalid_tool_use_id',
    `--tool-use-id ${JSON.stringify(raw)} must be letters, digits, _ or - (at most 80), e.g. toolu_01A`,
  );
}

export function parseTimeoutS(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_TIMEOUT_S;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_TIMEOUT_S)
    throw usageError(
      'bad_number',
      `--timeout-s must be a whole number of seconds from 1 to ${MAX_TIMEOUT_S}, not ${JSON.stringify(raw)}`,
    );
  return n;
}

/** The bead's title: the tool and what it acts on, on one line. */
export function approvalTitle(tool: string, subject: string): string {
  const one = subject.replace(/\s+/g, ' ').trim();
  const title = `${tool}: ${one}`;
  return title.length <= 200 ? title : `${title.slice(0, 199)}…`;
}

export interface NewApproval {
  agent: string;
  bead: string;
  rig: string;
  tool: string;
  input: Record<string, unknown>;
  toolUseId: string | null;
  truncated: boolean;
  deadline: Date;
}

export function approvalLabels(a: NewApproval): string[] {
  return [
    APPROVAL_LABEL,
    `${AGENT}${a.agent}`,
    `${BEAD}${a.bead}`,
    rigLabel(a.rig),
    `${DEADLINE}${a.deadline.toISOString()}`,
    ...(a.toolUseId ? [useLabel(a.toolUseId)] : []),
    ...(a.truncated ? [TRUNCATED_LABEL] : []),
  ];
}

export const approvalDescription = (a: NewApproval): string =>
  JSON.stringify({ tool_name: a.tool, input: a.input, tool_use_id: a.toolUseId });

/** A request as commands and cards read it. */
export interface ApprovalFacts {
  id: string;
  agent: string;
  bead: string;
  rig: string;
  tool: string;
  input: Record<string, unknown>;
  tool_use_id: string | null;
  subject: string;
  truncated: boolean;
  created_at: string;
  deadline: string;
  /** Null while nobody decided it. */
  decision: ApprovalDecision | null;
  /** Who decided (a person, the rule's author is on the rule), or null. */
  decided_by: string | null;
  /** The close reason (`Allowed by …`, `Denied by …: why`, `Timed out …`); '' while pending. */
  reason: string;
  version: number;
}

const labelValue = (labels: readonly string[], prefix: string): string =>
  labels.find((l) => l.startsWith(prefix))?.slice(prefix.length) ?? '';

function asked(description: string): { tool: string; input: Record<string, unknown>; id: string | null } {
  try {
    const v = JSON.parse(description) as { tool_name?: unknown; input?: unknown; tool_use_id?: unknown };
    const input = typeof v.input === 'object' && v.input !== null && !Array.isArray(v.input) ? v.input : {};
    return {
      tool: typeof v.tool_name === 'string' ? v.tool_name : '?',
      input: input as Record<string, unknown>,
      id: typeof v.tool_use_id === 'string' ? v.tool_use_id : null,
    };
  } catch {
    return { tool: '?', input: {}, id: null };
  }
}

export function approvalFacts(b: Bead): ApprovalFacts {
  const call = asked(b.description);
  const decision = labelValue(b.labels, DECISION);
  const decided = (DECISIONS as readonly string[]).includes(decision) ? (decision as ApprovalDecision) : null;
  return {
    id: b.id,
    agent: labelValue(b.labels, AGENT),
    bead: labelValue(b.labels, BEAD),
    rig: labelValue(b.labels, RIG),
    tool: call.tool,
    input: call.input,
    tool_use_id: call.id,
    subject: callSubject(call.tool, call.input),
    truncated: b.labels.includes(TRUNCATED_LABEL),
    created_at: b.created_at,
    deadline: labelValue(b.labels, DEADLINE),
    // Closed without a decision (by hand, before bd refused it): the agent was not allowed.
    decision: decided ?? (b.status === 'closed' ? 'deny' : null),
    decided_by: decided ? b.assignee : null,
    reason: b.close_reason,
    version: b.version,
  };
}

export const stateOf = (d: ApprovalDecision | null): ApprovalState =>
  d === null ? 'pending' : d === 'allow' || d === 'always' ? 'allow' : 'deny';

/** Whether the agent stopped waiting: its deadline passed (an unreadable one counts as passed). */
export function isOverdue(f: Pick<ApprovalFacts, 'deadline'>, now: Date): boolean {
  const at = Date.parse(f.deadline);
  return Number.isNaN(at) || now.getTime() >= at;
}

/** How long the agent waited, for the words of a timeout ("no answer within 300 s"). */
export function waitedS(f: Pick<ApprovalFacts, 'created_at' | 'deadline'>): number {
  const s = Math.round((Date.parse(f.deadline) - Date.parse(f.created_at)) / 1000);
  return Number.isFinite(s) && s > 0 ? s : 0;
}

/** The close reasons: the first word says the decision, as for gates and plans. */
export const REASONS = {
  allow: (by: string, note?: string) => `Allowed by ${by}${note ? `: ${note}` : ''}`,
  always: (by: string, rule: string) => `Allowed by ${by}, and from now on for the rig: ${rule}`,
  deny: (by: string, note?: string) => `Denied by ${by}${note ? `: ${note}` : ''}`,
  timeout: (s: number) => `Timed out: no answer from a person within ${s} s, so the agent was told no`,
};

/**
 * What the agent reads when it is told no: the tool error its model sees, so it says what
 * happened and what it can do instead.
 */
export function denialMessage(
  f: Pick<ApprovalFacts, 'decision' | 'reason' | 'created_at' | 'deadline'>,
): string {
  if (f.decision === 'timeout')
    return `No person answered this permission request within ${waitedS(f)} s, so it is denied. Do not retry the same call at once: continue without it, or finish with gt done --status escalated and say what you needed.`;
  return `${f.reason || 'Denied'}. A person decided against this call: do not retry it; continue another way or finish with gt done --status escalated.`;
}
