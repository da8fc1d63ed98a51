import type { LedgerEvent } from '../ledger/port.ts';

/** Fields worth a glance on one feed line, in this order, when an event carries them. */
const SHOWN = [
  'mr_id',
  'title',
  'status',
  'assignee',
  'from',
  'to',
  'reason',
  'depends_on_id',
  'type',
  'subject',
] as const;

/**
 * One ledger event as a line a person can scan: time, type, bead, rig, actor, then the few
 * fields that say what happened (`12:00:03 bead_claimed al-x4f alpha by gt-sling status=hooked …`).
 */
export function feedLine(e: LedgerEvent): string {
  const details = SHOWN.flatMap((k) => {
    const v = e.data[k];
    return typeof v === 'string' || typeof v === 'number'
      ? [`${k}=${JSON.stringify(v).replace(/^"|"$/g, '')}`]
      : [];
  });
  return [e.at.slice(11, 19), e.type, e.bead_id ?? '-', e.rig ?? 'town', `by ${e.actor}`, ...details].join(
    ' ',
  );
}
