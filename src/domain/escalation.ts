import type { Bead, Priority } from './bead.ts';
import { usageError } from './errors.ts';

/**
 * Escalations (comms-supervision.md §6): an agent or a check asks a person for help. Stored as
 * town-level beads of type `escalation` (as Gas Town does, with labels), so they are listed,
 * audited and decided with the same compare-and-swap as any bead. Everything machine-readable
 * lives in labels — `severity:`, `kind:`, `agent:`, `bead:`, `subject:`, `propose:`, `acked`,
 * `reescalated:` — so one listing reads them all and `bd show` shows them to a person.
 */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const KINDS = [
  'help',
  'decision',
  'stuck-agent',
  'dead-agent',
  'crash-loop',
  'stranded',
  'dependency-cycle',
  'merge-failed',
  // A rig paused by its account's usage limit (domain/usage-limit.ts): a notice, retired when it lifts.
  'usage-limit',
] as const;
export type EscalationKind = (typeof KINDS)[number];

export const ESCALATION_LABEL = 'gt:escalation';
export const ACKED_LABEL = 'acked';
export const severityLabel = (s: Severity): string => `severity:${s}`;

/** Critical escalations sort first, like P0 work. */
export const SEVERITY_PRIORITY: Record<Severity, Priority> = { critical: 0, high: 1, medium: 2, low: 3 };

export function parseSeverity(raw: string | undefined): Severity {
  const s = (raw ?? '').toLowerCase();
  if ((SEVERITIES as readonly string[]).includes(s)) return s as Severity;
  throw usageError('invalid_severity', `give a severity with -s: one of ${SEVERITIES.join(', ')}`);
}

export function parseKind(raw: string | undefined): EscalationKind {
  const k = (raw ?? 'help').toLowerCase();
  if ((KINDS as readonly string[]).includes(k)) return k as EscalationKind;
  throw usageError('invalid_kind', `--kind must be one of ${KINDS.join(', ')}`);
}

/** What an escalation is about; reports with the same subject fold into one open escalation. */
export interface Subject {
  kind: EscalationKind;
  agent: string | null;
  bead: string | null;
}

/** `subject:<kind>:<bead or agent or reporter>` — one open escalation per subject. */
export function subjectLabel(s: Subject, reporter: string): string {
  return `subject:${s.kind}:${s.bead ?? s.agent ?? reporter}`.slice(0, 100);
}

export function escalationLabels(
  severity: Severity,
  s: Subject,
  reporter: string,
  proposals: string[],
): string[] {
  return [
    ESCALATION_LABEL,
    severityLabel(severity),
    `kind:${s.kind}`,
    subjectLabel(s, reporter),
    ...(s.agent ? [`agent:${s.agent}`] : []),
    ...(s.bead ? [`bead:${s.bead}`] : []),
    ...proposals.map((p) => `propose:${p}`),
  ];
}

/** An escalation as people and chat cards read it. */
export interface EscalationView {
  severity: Severity;
  kind: EscalationKind;
  agent: string | null;
  bead_id: string | null;
  proposed_actions: string[];
  acked: boolean;
  acked_by: string | null;
  reescalations: number;
}

const labelValue = (labels: readonly string[], key: string): string | null =>
  labels.find((l) => l.startsWith(`${key}:`))?.slice(key.length + 1) ?? null;

export function escalationView(e: Bead): EscalationView {
  const severity = labelValue(e.labels, 'severity');
  const kind = labelValue(e.labels, 'kind');
  return {
    severity: (SEVERITIES as readonly string[]).includes(severity ?? '') ? (severity as Severity) : 'medium',
    kind: (KINDS as readonly string[]).includes(kind ?? '') ? (kind as EscalationKind) : 'help',
    agent: labelValue(e.labels, 'agent'),
    bead_id: labelValue(e.labels, 'bead'),
    proposed_actions: e.labels.filter((l) => l.startsWith('propose:')).map((l) => l.slice(8)),
    acked: e.labels.includes(ACKED_LABEL),
    acked_by: e.labels.includes(ACKED_LABEL) ? e.assignee : null,
    reescalations: Number(labelValue(e.labels, 'reescalated') ?? 0),
  };
}

export const MAX_REESCALATIONS = 2;

/**
 * Re-escalation (§6.5): an open, unacknowledged escalation whose severity has stood for
 * `staleMs` is bumped one step, at most twice and never past critical. The n-th bump is due at
 * created_at + n × staleMs, so no timestamp needs storing. Returns the new severity, or null.
 */
export function reescalationDue(e: Bead, now: Date, staleMs: number): Severity | null {
  const v = escalationView(e);
  if (e.status === 'closed' || v.acked || v.reescalations >= MAX_REESCALATIONS) return null;
  // A usage-limit pause lifts by itself at a known time: pinging again would only repeat it.
  if (v.kind === 'usage-limit') return null;
  const next = SEVERITIES[SEVERITIES.indexOf(v.severity) + 1];
  if (!next) return null;
  const dueAt = Date.parse(e.created_at) + staleMs * (v.reescalations + 1);
  return now.getTime() >= dueAt ? next : null;
}

/** The labels that change when an escalation is bumped to `next`. */
export function reescalationPatch(
  e: Bead,
  next: Severity,
): { add_labels: string[]; remove_labels: string[] } {
  const v = escalationView(e);
  return {
    add_labels: [severityLabel(next), `reescalated:${v.reescalations + 1}`],
    remove_labels: [
      severityLabel(v.severity),
      ...(v.reescalations ? [`reescalated:${v.reescalations}`] : []),
    ],
  };
}
