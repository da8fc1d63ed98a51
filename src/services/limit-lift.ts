import { isDue } from '../domain/usage-limit.ts';
import { NOTICE_LABEL, noticeCleared } from '../domain/usage-limit-notice.ts';
import type { Ledger } from '../ledger/port.ts';
import type { Execute } from './stranded-scan.ts';

export interface LiftPass {
  /** Rigs whose pause was lifted (their queues fed at once by `gt rig resume`). */
  lifted: string[];
  /** Notices retired because no rig of their account is paused any more. */
  retired: string[];
  /** Due pauses the lift was refused for, and why (made longer meanwhile, lifted by a person, …). */
  skipped: Array<{ rig: string; why: string }>;
}

/**
 * The lift job (issue 18 item 4): every usage-limit pause whose time has come is lifted through
 * the command layer (`gt rig resume --due`, as the job's system actor, audited), which retires
 * the notice and feeds the rig's queue — dispatch resumes by itself. `--due` makes the lift a
 * compare-and-swap on what made it due: a pause a later limit made longer meanwhile is left
 * alone. Then any notice whose pause lifted but which is still open (a lift cut short between
 * its steps) is retired. Runs on the leader, like the timer gates.
 */
export async function liftDuePauses(ledger: Ledger, execute: Execute, now: Date): Promise<LiftPass> {
  const pass: LiftPass = { lifted: [], retired: [], skipped: [] };
  for (const rig of await ledger.listRigs()) {
    if (!isDue(rig.usage_limit, now)) continue;
    const reply = await execute('gt rig resume', { name: rig.name, due: true });
    if (!reply.ok) {
      pass.skipped.push({ rig: rig.name, why: reply.error.message });
      continue;
    }
    pass.lifted.push(rig.name);
    pass.retired.push(...(reply.data as { retired: string[] }).retired);
  }
  const rigs = await ledger.listRigs();
  for (const e of await ledger.listBeads({ issue_type: 'escalation', label: NOTICE_LABEL })) {
    const why = noticeCleared(e, rigs);
    if (why && (await execute('gt escalation retire', { id: e.id, why })).ok) pass.retired.push(e.id);
  }
  return pass;
}
