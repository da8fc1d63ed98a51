import {
  type ApprovalDecision,
  type ApprovalFacts,
  approvalFacts,
  decisionLabel,
  REASONS,
} from '../../domain/approval.ts';
import { ruleFor, ruleText, withRule } from '../../domain/approval-rules.ts';
import type { Bead } from '../../domain/bead.ts';
import { conflict, usageError } from '../../domain/errors.ts';
import { flag, optString, reqString } from '../args.ts';
import { type CommandContext, defineCommand } from '../command.ts';
import type { FlagSpec } from '../syntax.ts';
import { assertDecidable, loadApproval } from './approval-record.ts';
import { checkVersion } from './escalation-record.ts';

/**
 * A person's answer to an agent's permission request (docs/approvals.md): one compare-and-swap
 * on the request at the version seen — open → decided, with the decision in a label — then the
 * request is closed with the reason the agent and the card show. Of two clicks one wins; the
 * other is told who decided. `--always` also adds the call to the rig's allow-list (the rig's
 * version moves; audited with the command), so the same call is answered at once from then on.
 */
export interface ApprovalDecided extends ApprovalFacts {
  /** The rule `--always` added (approval-rules.ts ruleText), else null. */
  rule_added: string | null;
}

const VERSION: Record<string, FlagSpec> = {
  version: {
    type: 'string',
    description: 'refuse unless the request is still at this version (a chat button sends it)',
  },
};

export const gtApprovalAllow = defineCommand<ApprovalDecided>({
  path: ['gt', 'approval', 'allow'],
  summary: 'Let an agent use the tool it asked for; --always: and the same call in its rig from now on',
  usage: 'gt approval allow <id> [--always [--prefix P]] [-m NOTE] [--version N]',
  syntax: {
    positionals: [{ name: 'id', required: true }],
    flags: {
      always: {
        type: 'boolean',
        description: 'also allow this call in the rig from now on (its allow-list)',
      },
      prefix: {
        type: 'string',
        description: 'with --always: allow any call starting with this (plain words after it only)',
      },
      message: { type: 'string', short: 'm', description: 'a note kept with the decision' },
      ...VERSION,
    },
  },
  mutates: true,
  async run(args, ctx) {
    const always = flag(args, 'always');
    const prefix = optString(args, 'prefix');
    if (prefix !== undefined && !always)
      throw usageError('prefix_without_always', '--prefix makes a rule: give --always with it');
    const { bead, facts } = await decidable(ctx, reqString(args, 'id'), optString(args, 'version'));
    const rule = always ? ruleFor(facts, prefix, ctx.actor.id, ctx.services.now()) : null;
    if (rule) {
      // Refused before anything is decided: a full allow-list must not leave a half decision.
      const rig = await ctx.services.ledger.getRig(facts.rig);
      withRule(rig?.approval_rules ?? [], rule);
    }
    const note = optString(args, 'message')?.trim();
    const reason = rule ? REASONS.always(ctx.actor.id, ruleText(rule)) : REASONS.allow(ctx.actor.id, note);
    const closed = await decide(ctx, bead, always ? 'always' : 'allow', reason, async (write) => {
      if (rule) await ctx.services.ledger.addRigApprovalRule(facts.rig, rule, write);
    });
    ctx.services.onApproval?.(always ? 'allow_always' : 'allow_once');
    return { data: { ...approvalFacts(closed), rule_added: rule ? ruleText(rule) : null } };
  },
  text: (d) => `${d.id}: ${d.reason}`,
});

export const gtApprovalDeny = defineCommand<ApprovalDecided>({
  path: ['gt', 'approval', 'deny'],
  summary: 'Refuse an agent the tool it asked for; the agent reads why',
  usage: 'gt approval deny <id> [-m WHY] [--version N]',
  syntax: {
    positionals: [{ name: 'id', required: true }],
    flags: {
      message: { type: 'string', short: 'm', description: 'why (the agent reads it)' },
      ...VERSION,
    },
  },
  mutates: true,
  async run(args, ctx) {
    const { bead } = await decidable(ctx, reqString(args, 'id'), optString(args, 'version'));
    const note = optString(args, 'message')?.trim().slice(0, 2_000);
    const closed = await decide(ctx, bead, 'deny', REASONS.deny(ctx.actor.id, note), async () => {});
    ctx.services.onApproval?.('deny');
    return { data: { ...approvalFacts(closed), rule_added: null } };
  },
  text: (d) => `${d.id}: ${d.reason}`,
});

async function decidable(
  ctx: CommandContext,
  raw: string,
  version: string | undefined,
): Promise<{ bead: Bead; facts: ApprovalFacts }> {
  const found = await loadApproval(ctx.services.ledger, raw);
  assertDecidable(found.facts, ctx.services.now());
  checkVersion(found.bead, version, 'gt approval list');
  return found;
}

/**
 * The compare-and-swap that decides (open at the version read → decided by the caller, the
 * decision in a label), what goes with it (`alsoDo`: a rule), then the close with the reason.
 */
async function decide(
  ctx: CommandContext,
  bead: Bead,
  decision: ApprovalDecision,
  reason: string,
  alsoDo: (write: ReturnType<CommandContext['write']>) => Promise<void>,
): Promise<Bead> {
  const ledger = ctx.services.ledger;
  const write = ctx.write();
  const claimed = await ledger.claimBead(
    bead.id,
    {
      expect: { status: bead.status, assignee: bead.assignee, version: bead.version },
      set: { status: 'in_progress', assignee: ctx.actor.id, add_labels: [decisionLabel(decision)] },
    },
    write,
  );
  if (!claimed)
    throw conflict(
      'stale_version',
      `${bead.id} changed meanwhile (decided by someone else, or it timed out); see gt approval list --all`,
    );
  await alsoDo(write);
  return ledger.closeBead(bead.id, { reason, force: true }, write);
}
