import type { Bead } from '../../domain/bead.ts';
import { type EscalationView, escalationView, type Severity } from '../../domain/escalation.ts';
import { type MergeStep, parseResolution } from '../../domain/resolution.ts';

/** One button of an escalation card: the `--action` it applies, or `ack`. */
export interface CardButton {
  label: string;
  /** `ack`, `pick` (opens the pick-an-assignee dialog) or a resolution word (`reassign:…`, `restart`…). */
  action: string;
  style: 'primary' | 'danger' | null;
  /** Destructive actions ask first. */
  confirm: { title: string; text: string } | null;
}

export type CardState = 'open' | 'acknowledged' | 'resolved' | 'retired';

/** What an escalation card shows, for any platform (slack/, discord/ render it). */
export interface EscalationCardModel {
  id: string;
  version: number;
  title: string;
  severity: Severity;
  kind: string;
  agent: string | null;
  bead: string | null;
  /** The detail: for the witness's escalations, the verdict's `why`. */
  detail: string;
  state: CardState;
  /** "Approved by …", "Acknowledged by …", "Retired: …" — null while open. */
  outcome: { by: string | null; at: string | null; text: string } | null;
  buttons: CardButton[];
}

const SEVERITY_ICON: Record<Severity, string> = { critical: '🔴', high: '🟠', medium: '🟡', low: '⚪' };
export const severityIcon = (s: Severity): string => SEVERITY_ICON[s];

/** A held merge request's decisions (a `merge-failed` escalation). */
const MERGE_BUTTONS: Record<MergeStep, CardButton> = {
  retry: { label: 'Retry merge', action: 'merge:retry', style: 'primary', confirm: null },
  rework: {
    label: 'Send back for rework',
    action: 'merge:rework',
    style: null,
    confirm: { title: 'Rework?', text: 'A polecat gets the bead again, with why it did not land.' },
  },
  reject: {
    label: 'Reject merge',
    action: 'merge:reject',
    style: 'danger',
    confirm: {
      title: 'Reject?',
      text: 'The merge request is refused for good; the bead goes back to the queue.',
    },
  },
  'land-anyway': {
    label: 'Land anyway',
    action: 'merge:land-anyway',
    style: 'danger',
    confirm: {
      title: 'Land without passing gates?',
      text: 'It lands on the target as it is, its gates not passed. Needs mq:override.',
    },
  },
};

function button(action: string): CardButton {
  const r = parseResolution(action);
  switch (r.type) {
    case 'reassign':
      return {
        label: `Approve reassignment to ${r.rig}/${r.name}`,
        action,
        style: 'primary',
        confirm: {
          title: 'Reassign?',
          text: `The current polecat is stopped and ${r.rig}/${r.name} takes the bead.`,
        },
      };
    case 'release':
      return {
        label: 'Release to queue',
        action: 'reassign:queue',
        style: 'danger',
        confirm: {
          title: 'Release?',
          text: 'The current polecat is stopped and the bead goes back to the queue.',
        },
      };
    case 'restart':
      return {
        label: 'Restart',
        action,
        style: 'danger',
        confirm: {
          title: 'Restart?',
          text: 'The polecat is started again on the bead (counts as a respawn).',
        },
      };
    case 'merge':
      return MERGE_BUTTONS[r.step];
    default:
      return { label: 'Acknowledge & close', action: 'acknowledge', style: null, confirm: null };
  }
}

/** "Resolved: reassigned to alpha/Nux by slack:U1" → who, what. */
function outcomeOf(e: Bead, v: EscalationView): EscalationCardModel['outcome'] {
  if (e.status === 'closed') {
    const retired = /^Retired: (.*)$/s.exec(e.close_reason);
    if (retired) return { by: null, at: e.closed_at, text: retired[1] ?? '' };
    const resolved = /^Resolved: (.*) by (\S+)$/s.exec(e.close_reason);
    return resolved
      ? { by: resolved[2] ?? null, at: e.closed_at, text: resolved[1] ?? '' }
      : { by: null, at: e.closed_at, text: e.close_reason || 'closed' };
  }
  return v.acked ? { by: v.acked_by, at: e.updated_at, text: 'acknowledged' } : null;
}

export function escalationCardModel(e: Bead): EscalationCardModel {
  const v = escalationView(e);
  const closed = e.status === 'closed';
  const state: CardState = closed
    ? e.close_reason.startsWith('Retired:')
      ? 'retired'
      : 'resolved'
    : v.acked
      ? 'acknowledged'
      : 'open';
  const proposals = v.proposed_actions.length ? v.proposed_actions : ['acknowledge'];
  const decisions = [...new Map(proposals.map((p) => button(p)).map((b) => [b.action, b])).values()];
  const extras: CardButton[] = [
    ...(v.acked ? [] : [{ label: 'Ack', action: 'ack', style: null, confirm: null }]),
    ...(v.agent && v.bead_id ? [{ label: 'Reassign to…', action: 'pick', style: null, confirm: null }] : []),
  ];
  return {
    id: e.id,
    version: e.version,
    title: e.title,
    severity: v.severity,
    kind: v.kind,
    agent: v.agent,
    bead: v.bead_id,
    detail: e.description,
    state,
    outcome: outcomeOf(e, v),
    buttons: closed ? [] : [...decisions, ...extras],
  };
}
