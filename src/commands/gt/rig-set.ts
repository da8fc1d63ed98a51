import { notFound, refused, usageError } from '../../domain/errors.ts';
import { describeMergePolicy, type MergePolicy } from '../../domain/merge-policy.ts';
import { parseRigName, type Rig } from '../../domain/rig.ts';
import { parseAccount } from '../../domain/usage-limit-account.ts';
import { optString, reqString } from '../args.ts';
import { defineCommand } from '../command.ts';
import { MERGE_POLICY_FLAGS, MERGE_POLICY_USAGE, mergePolicyArgs } from './rig.ts';

/**
 * `gt rig set`: changes an existing rig's merge policy — a rig from before merge queues (read as
 * `local`) onto the queue, or gates for a rig whose merge requests are held for want of them. The
 * flags given replace those fields and the others stay, in one compare-and-swap in the ledger.
 * `--account NAME` says which agent account its polecats spend: rigs naming the same one pause
 * together when it hits a usage limit (domain/usage-limit-account.ts); `--account none`, its own.
 */
export const gtRigSet = defineCommand<Rig>({
  path: ['gt', 'rig', 'set'],
  summary: 'Change a rig’s merge policy or account (the flags given; the rest stay as they are)',
  usage: `gt rig set <name> ${MERGE_POLICY_USAGE} [--account NAME|none]`,
  syntax: {
    positionals: [{ name: 'name', required: true }],
    flags: {
      ...MERGE_POLICY_FLAGS,
      account: {
        type: 'string',
        description:
          'the agent account its polecats spend: rigs naming the same one pause together on a usage limit; none: its own',
      },
    },
  },
  mutates: true,
  async run(args, ctx) {
    const name = parseRigName(reqString(args, 'name'));
    const change = mergePolicyArgs(args);
    const rawAccount = optString(args, 'account');
    const account = rawAccount === undefined ? undefined : parseAccount(rawAccount);
    if (Object.keys(change).length === 0 && account === undefined)
      throw usageError(
        'nothing_to_set',
        `say what to change: --merge, --gate (or --gate none), --gate-timeout, --gate-retries, --merge-style, --batch, --parallel or --account. Usage: gt rig set <name> ${MERGE_POLICY_USAGE} [--account NAME|none]`,
      );
    const rig = await ctx.services.ledger.getRig(name);
    if (!rig) throw notFound('rig', name);
    refuseMergeWithoutRepo(rig, change);
    const write = ctx.write();
    const changed =
      Object.keys(change).length > 0 ? await ctx.services.ledger.setRigMergePolicy(name, change, write) : rig;
    return {
      data: account === undefined ? changed : await ctx.services.ledger.setRigAccount(name, account, write),
    };
  },
  text: (rig) =>
    `rig ${rig.name}: merge ${describeMergePolicy(rig.merge_policy)}${rig.account ? `; account ${rig.account}` : ''}`,
});

/**
 * Merging needs a repository to merge into, and a rig's repository is fixed when it is added
 * (nothing changes it), so checking it before the write cannot race.
 */
function refuseMergeWithoutRepo(rig: Rig, change: Partial<MergePolicy>): void {
  if (change.merge === undefined || change.merge === 'local' || rig.repo) return;
  throw refused(
    'no_repository',
    `rig ${rig.name} has no repository to merge into with --merge ${change.merge}, and a rig's repository is set only when it is added: re-add it with --repo, under a new name and prefix (gt rig add <name> --prefix <pfx> --repo PATH …)`,
  );
}
