import type { Bead } from '../../../domain/bead.ts';
import { parseConvoyFields } from '../../../domain/convoy-fields.ts';
import { DomainError } from '../../../domain/errors.ts';
import type { Ledger, WriteContext } from '../../../ledger/port.ts';
import { ownerAddress } from '../mail/recipients.ts';
import { sendMail } from '../mail/send.ts';

/**
 * Closes a convoy and tells its owner and --notify address (convoy.md §2.8). The close is the
 * ledger's compare-and-swap: of two racing closers (feeder and user, or two replicas) one wins
 * and the other gets `already_closed` — so the landing mail goes out once (upstream #4104 sent
 * one per scan tick). Returns null when someone else closed it first.
 */
export async function landConvoy(
  ledger: Ledger,
  convoy: Bead,
  reason: string,
  ctx: WriteContext,
): Promise<Bead | null> {
  let closed: Bead;
  try {
    closed = await ledger.closeBead(convoy.id, { reason, force: true }, ctx);
  } catch (err) {
    if (err instanceof DomainError && err.code === 'already_closed') return null;
    throw err;
  }
  const fields = parseConvoyFields(convoy.description);
  const recipients = [
    ...new Set([fields.owner, fields.notify].filter((a): a is string => Boolean(a)).map(ownerAddress)),
  ];
  for (const to of recipients) {
    try {
      await sendMail(
        ledger,
        'mayor/',
        {
          to,
          subject: `🚚 Convoy landed: ${convoy.title}`.slice(0, 200),
          body: `Convoy ${convoy.id} has completed.\n\n${reason}.`,
        },
        ctx,
      );
    } catch (err) {
      // An address that is no longer valid must not undo the landing; the landing event stands.
      if (!(err instanceof DomainError)) throw err;
    }
  }
  return closed;
}
