import type { Actor } from '../../../domain/actor.ts';
import { refused } from '../../../domain/errors.ts';
import { type Address, parseAddress, RIG_ROLES } from '../../../domain/mail.ts';
import { mailAddressesOf } from '../../../domain/people.ts';
import { polecatAddress, polecatNames } from '../../../domain/sling.ts';
import type { Ledger } from '../../../ledger/port.ts';

/** A concrete recipient: an address and, for a working polecat, the incarnation (its bead). */
export interface Recipient {
  address: string;
  spawn: string | null;
}

/** The sender's address: agents by their address, people as `human:<id>`, services as `system:<id>`. */
export const senderAddress = (actor: Actor): string => mailAddressesOf(actor, {})[0] as string;

/** The mailbox `--agent` names (an address or `@rig`), or the caller's own. */
export function mailboxOf(raw: string | undefined, actor: Actor): string {
  const address = raw !== undefined ? parseAddress(raw, false) : null;
  if (!address) return senderAddress(actor);
  return 'address' in address ? address.address : `@${address.rig}`;
}

/** A convoy owner or notify field: an agent address when it has a slash, else a person. */
export const ownerAddress = (owner: string): string =>
  owner.includes('/') || owner.includes(':') ? owner : `human:${owner}`;

/** The bead a polecat is working on now (its incarnation), if it holds a slot. */
export async function currentSpawn(ledger: Ledger, address: string): Promise<string | null> {
  const [rig, name] = address.split('/');
  if (!rig || !name) return null;
  const slot = (await ledger.listSlots(rig).catch(() => [])).find((s) => s.name === name);
  return slot?.bead_id ?? null;
}

/** Resolves a `to` into recipients, refusing unknown rigs and names (nothing is stored for them). */
export async function resolveRecipients(ledger: Ledger, raw: string, human: boolean): Promise<Recipient[]> {
  const address = parseAddress(raw, human);
  switch (address.kind) {
    case 'mayor':
    case 'human':
      return [{ address: address.address, spawn: null }];
    case 'group':
      return groupMembers(ledger, address.rig);
    case 'agent':
      return [await agentRecipient(ledger, address)];
  }
}

async function agentRecipient(ledger: Ledger, a: Extract<Address, { kind: 'agent' }>): Promise<Recipient> {
  const rig = await ledger.getRig(a.rig);
  if (!rig)
    throw refused(
      'unknown_recipient',
      `unknown recipient ${a.address}: there is no rig ${a.rig} (see gt rig list)`,
    );
  const known = [...polecatNames(rig.max_polecats), ...RIG_ROLES];
  if (!known.includes(a.name)) {
    throw refused(
      'unknown_recipient',
      `unknown recipient ${a.address}: ${a.rig} has no agent named ${a.name}`,
    );
  }
  return { address: a.address, spawn: await currentSpawn(ledger, a.address) };
}

/** `@<rig>`: its witness and every polecat at work now. */
async function groupMembers(ledger: Ledger, rigName: string): Promise<Recipient[]> {
  if (!(await ledger.getRig(rigName)))
    throw refused('unknown_recipient', `unknown group @${rigName}: there is no such rig`);
  const working = (await ledger.listSlots(rigName)).map((s) => ({
    address: polecatAddress(rigName, s.name),
    spawn: s.bead_id,
  }));
  return [{ address: `${rigName}/witness`, spawn: null }, ...working];
}
