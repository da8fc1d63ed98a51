import { type ApprovalRule, checkRulesVersion, ruleText } from '../../domain/approval-rules.ts';
import { DomainError, refused, usageError } from '../../domain/errors.ts';
import { parseRigName, type Rig } from '../../domain/rig.ts';
import type { Ledger } from '../../ledger/port.ts';
import { optInt, reqString } from '../args.ts';
import { defineCommand } from '../command.ts';

/**
 * `gt approval revoke <rig> <n> [--version N]`: a person who may approve in the rig
 * (`agent:approve`) takes rule n (from 1, as `gt approval list --rig R` numbers the rig's
 * allow-list) off it, so the call it covered asks a person again. One compare-and-swap in the
 * ledger (removeRigApprovalRule): the rule is removed only while it is still there and, with
 * `--version`, only while the rig is still at the version the list showed — otherwise nothing
 * changes and the caller is told to look again. Audited by the command layer like every change.
 */
export interface ApprovalRevoked {
  rig: string;
  /** The number the rule had (the caller's `<n>`). */
  n: number;
  /** The rule taken off (approval-rules.ts ruleText), and the rule itself. */
  removed: string;
  rule: ApprovalRule;
  /** How many rules the rig's allow-list still holds. */
  remaining: number;
  /** The rig's version after the removal. */
  version: number;
}

export const gtApprovalRevoke = defineCommand<ApprovalRevoked>({
  path: ['gt', 'approval', 'revoke'],
  summary: 'Remove rule n from a rig’s approval allow-list: that call asks a person again',
  usage: 'gt approval revoke <rig> <n> [--version N]',
  syntax: {
    positionals: [
      { name: 'rig', required: true },
      { name: 'n', required: true },
    ],
    flags: {
      version: {
        type: 'string',
        description: 'refuse unless the rig is still at this version (gt approval list --rig R shows it)',
      },
    },
  },
  mutates: true,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const rig = await ruleRig(ledger, reqString(args, 'rig'));
    const version = optInt(args, 'version', 0, Number.MAX_SAFE_INTEGER);
    // A stale version first: the numbers the caller saw may no longer be these.
    checkRulesVersion(rig, version);
    const n = ruleNumber(rig, reqString(args, 'n'));
    const rule = rig.approval_rules[n - 1] as ApprovalRule;
    // The ledger checks again inside its compare-and-swap: the rule still there, the version still N.
    const after = await ledger.removeRigApprovalRule(rig.name, rule, ctx.write(), version);
    return {
      data: {
        rig: rig.name,
        n,
        removed: ruleText(rule),
        rule,
        remaining: after.approval_rules.length,
        version: after.version,
      },
    };
  },
  text: (d) =>
    `rig ${d.rig}: removed rule ${d.n}, ${d.removed} (added by ${d.rule.by}); ${d.remaining} ${
      d.remaining === 1 ? 'rule remains' : 'rules remain'
    }. Its calls ask a person again; see gt approval list --rig ${d.rig}`,
});

/** The rig named, with at least one rule to take off. */
async function ruleRig(ledger: Ledger, raw: string): Promise<Rig> {
  const name = parseRigName(raw);
  const rig = await ledger.getRig(name);
  if (!rig)
    throw new DomainError('not_found', 'not_found', `rig ${name} not found; see gt rig list`, { id: name });
  if (rig.approval_rules.length === 0)
    throw refused(
      'no_rules',
      `rig ${name} has no approval rules, so there is nothing to revoke; see gt approval list --rig ${name}`,
    );
  return rig;
}

/** `<n>`: a whole number from 1 to the number of the rig's rules. */
function ruleNumber(rig: Rig, raw: string): number {
  const count = rig.approval_rules.length;
  const n = /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > count)
    throw usageError(
      'bad_rule_number',
      `<n> must be the number of one of rig ${rig.name}'s ${count} approval ${
        count === 1 ? 'rule' : 'rules'
      } (1 to ${count}), not ${JSON.stringify(raw)}; see gt approval list --rig ${rig.name}`,
      { rig: rig.name, rules: count },
    );
  return n;
}
