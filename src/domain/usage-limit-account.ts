import { usageError } from './errors.ts';

/**
 * The agent account a rig's polecats spend (issue 18 item 4: "the rig, or the account, when
 * several rigs share one"). A usage limit is the account's, not the rig's: when one rig hits it,
 * every rig naming the same account pauses with it. Named explicitly (`gt rig set R --account
 * NAME`) rather than guessed from `--env` — rigs on a subscription login have no key variable
 * at all, and the same variable name may hold different keys on different runner machines.
 * A rig without one (null) is its own account.
 */
const ACCOUNT = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;

/** `--account NAME`, or `none` to say the rig shares no account (null). */
export function parseAccount(raw: string): string | null {
  const name = raw.trim();
  if (name === 'none') return null;
  if (!ACCOUNT.test(name))
    throw usageError(
      'invalid_account',
      `--account ${JSON.stringify(raw)} is not an account name; use letters, digits, _ . @ or - (at most 64, e.g. team-claude), or none`,
    );
  return name;
}

/** The rigs a limit hit on `rig` pauses: itself and every rig naming the same account, by name. */
export function rigsSharingAccount<R extends { name: string; account: string | null }>(
  rig: R,
  rigs: readonly R[],
): R[] {
  const others =
    rig.account === null ? [] : rigs.filter((r) => r.name !== rig.name && r.account === rig.account);
  return [rig, ...others.sort((a, b) => a.name.localeCompare(b.name))];
}
