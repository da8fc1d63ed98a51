import type { Priority } from './bead.ts';
import { usageError } from './errors.ts';

/**
 * Escalations (comms-supervision.md §6): an agent or a check asks a person for help. Stored as
 * town-level beads of type `escalation` (as Gas Town does, with labels), so they are listed,
 * audited and decided with the same compare-and-swap as any bead. Routing to chat comes later.
 */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

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
