import { reescalationDue } from '../domain/escalation.ts';
import type { Ledger } from '../ledger/port.ts';
import type { Execute } from './stranded-scan.ts';

/**
 * Re-escalation (issue 5 item 5; comms-supervision.md §6.5): every open, unacknowledged
 * escalation whose severity has stood for `staleS` is bumped one step, at most twice. The rule
 * is the domain's; the command re-checks it under compare-and-swap, so two replicas or a late
 * tick cannot bump twice.
 */
export async function reescalate(
  ledger: Ledger,
  execute: Execute,
  staleS: number,
  now: Date,
): Promise<string[]> {
  const bumped: string[] = [];
  for (const e of await ledger.listBeads({ issue_type: 'escalation', status: ['open'] })) {
    if (!reescalationDue(e, now, staleS * 1000)) continue;
    const reply = await execute('gt escalation reescalate', { id: e.id, 'stale-after': String(staleS) });
    if (reply.ok) bumped.push(e.id);
  }
  return bumped;
}
