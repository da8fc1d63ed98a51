import type { Scope } from '../../domain/authorization.ts';
import { isPartyTo, type Mail } from '../../domain/mail.ts';
import { optString, reqString } from '../args.ts';
import { mailboxOf } from '../gt/mail/recipients.ts';
import { callerAgent, type Resolver, rigOfAddress } from './scope-facts.ts';

/**
 * Mail is confidential: a message is for its sender and recipient; anyone else needs
 * `mail:admin` (which no agent has unless the policy file grants it). Sending reaches the rig of
 * the recipient; an agent may write to anyone but broadcast only to its own rig.
 */
const someoneElses = (why: string): Scope => ({ rigs: 'any', permission: 'mail:admin', notOwn: why });
const OWN: Scope = { rigs: 'any', notOwn: null };

const partyToAny = (mail: Pick<Mail, 'from' | 'to'>, mine: readonly string[]) =>
  mine.some((address) => isPartyTo(mail, address));

/** `gt mail inbox [--agent ADDR]`: one's own mailbox, or someone else's with mail:admin. */
export const inboxScope: Resolver = async ({ args, actor, mailAddresses }) => {
  const box = mailboxOf(optString(args, 'agent'), actor);
  return mailAddresses.includes(box) ? OWN : someoneElses(`${box} is not its mailbox`);
};

/** One message (`read`: sender or recipient; `ack`/`archive`: the recipient only). */
export const messageScope =
  (who: 'party' | 'recipient'): Resolver =>
  async ({ args, ledger, mailAddresses }) => {
    const mail = await ledger.getMail(reqString(args, 'id'));
    if (!mail) return OWN; // the verb says "not found"
    const mine = who === 'party' ? partyToAny(mail, mailAddresses) : mailAddresses.includes(mail.to);
    return mine ? OWN : someoneElses(`message ${mail.id} is not addressed to it`);
  };

/** A thread: visible to those who sent or received a message in it. */
export const threadScope: Resolver = async ({ args, ledger, mailAddresses }) => {
  const root = await ledger.getMail(reqString(args, 'id'));
  if (!root) return OWN;
  const thread: Mail[] = await ledger.mailThread(root.thread_id);
  return thread.some((m) => partyToAny(m, mailAddresses))
    ? OWN
    : someoneElses(`it takes no part in the thread of ${root.id}`);
};

/** `gt mail send` and `gt nudge`: the recipient's rig; a reply only to a message one could see. */
export const sendScope: Resolver = async ({ args, ledger, who, mailAddresses }) => {
  const to = reqString(args, 'to');
  const rig = rigOfAddress(to);
  const rigs = rig ? [rig] : 'any';
  const agent = callerAgent(who);
  if (agent && to.trim().startsWith('@') && rig !== agent.rig)
    return { rigs, notOwn: `it may write to its own rig's group only, not ${to}` };
  const replyTo = optString(args, 'reply-to');
  const parent = replyTo === undefined ? null : await ledger.getMail(replyTo);
  if (parent && !partyToAny(parent, mailAddresses))
    return { ...someoneElses(`it cannot reply to message ${parent.id}, which it could not see`), rigs };
  return { rigs, notOwn: null };
};
