import type { Bead } from '../../domain/bead.ts';
import { conflict, refused } from '../../domain/errors.ts';
import { type EscalationView, escalationView } from '../../domain/escalation.ts';
import { parseId } from '../../domain/validation.ts';
import type { Ledger } from '../../ledger/port.ts';
import { optInt } from '../args.ts';

/** An escalation bead with its labels read out (what `--json` prints and chat cards render). */
export type EscalationRecord = Bead & EscalationView & { folded?: boolean };

export const withView = (bead: Bead, extra: { folded?: boolean } = {}): EscalationRecord => ({
  ...bead,
  ...escalationView(bead),
  ...extra,
});

export async function loadEscalation(ledger: Ledger, raw: string): Promise<Bead> {
  const id = parseId(raw, 'escalation');
  const bead = await ledger.getBead(id);
  if (!bead) throw refused('not_found', `escalation ${id} not found; see gt escalation list --all`);
  if (bead.issue_type !== 'escalation')
    throw refused('not_an_escalation', `${id} is not an escalation; see gt escalation list`);
  return bead;
}

/** Refuses a decision on an escalation that is already closed, naming how it ended. */
export function assertOpen(e: Bead): void {
  if (e.status === 'closed')
    throw refused(
      'already_resolved',
      `${e.id} was already resolved (${e.close_reason || 'no reason given'}); nothing changed`,
    );
}

export const VERSION_FLAG = {
  version: { type: 'string' as const, description: 'refuse unless the escalation is still at this version' },
};

/** A chat button carries the version it was rendered at: a click on an older card is refused. */
export function checkVersion(
  e: { id: string; version: number },
  raw: string | undefined,
  lookAgain = 'gt escalation list',
): void {
  if (raw === undefined) return;
  const expected = optInt({ version: raw }, 'version', 0, Number.MAX_SAFE_INTEGER);
  if (expected !== e.version)
    throw conflict(
      'stale_version',
      `${e.id} changed since version ${expected} (now ${e.version}); look again with ${lookAgain}`,
    );
}
