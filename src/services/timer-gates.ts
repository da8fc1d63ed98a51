import { dueTimerGates, TIMER_GATE_LABEL, timerElapsedReason } from '../domain/timer-gate.ts';
import type { Ledger } from '../ledger/port.ts';
import type { Execute } from './stranded-scan.ts';

export interface TimerPass {
  /** Gates closed by this pass: what waited on them is fed by the convoy feeder (the close's event). */
  opened: string[];
  /** Due gates the close was refused for, and why (closed meanwhile by a person, its step reopened, …). */
  skipped: Array<{ id: string; why: string }>;
}

/**
 * Opens the timer gates whose time has come (domain/timer-gate.ts), as Gas Town's patrol does
 * with `bd gate check --type=timer`. Each is closed through the command layer (`bd close`, as the
 * job's system actor, audited), without `--force`: the ledger closes a bead at most once and
 * refuses one with an open blocker in the same write, so a gate closed by a person meanwhile,
 * or whose step was reopened since it was read, is left alone — a compare-and-swap on what made
 * it due. Being due never stops being true (the clock only moves on), so nothing else can go
 * stale between the read and the close.
 */
export async function openDueTimerGates(ledger: Ledger, execute: Execute, now: Date): Promise<TimerPass> {
  const pass: TimerPass = { opened: [], skipped: [] };
  const open = await ledger.listBeads({ issue_type: 'decision', label: TIMER_GATE_LABEL });
  for (const gate of dueTimerGates(open, now)) {
    const reply = await execute('bd close', { ids: [gate.id], reason: timerElapsedReason(gate) });
    if (reply.ok) pass.opened.push(gate.id);
    else pass.skipped.push({ id: gate.id, why: reply.error.message });
  }
  return pass;
}
