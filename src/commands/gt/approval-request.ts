import {
  approvalDescription,
  approvalFacts,
  approvalLabels,
  approvalTitle,
  decisionLabel,
  isApproval,
  MAX_WAIT_S,
  parseTimeoutS,
  parseToolName,
  parseToolUseId,
  REASONS,
  useLabel,
  waitedS,
} from '../../domain/approval.ts';
import { callSubject, parseToolInput } from '../../domain/approval-call.ts';
import { matchingRule, ruleText } from '../../domain/approval-rules.ts';
import type { Bead } from '../../domain/bead.ts';
import { notFound, refused } from '../../domain/errors.ts';
import { flag, optInt, optString, reqString } from '../args.ts';
import { resolveBeadRef } from '../bead-ref.ts';
import { type CommandContext, defineCommand } from '../command.ts';
import { type ApprovalAnswer, answerOf, answerText, loadApproval } from './approval-record.ts';

/**
 * The asking side of permission prompts (docs/approvals.md): the agent's permission server
 * (src/agent/permission-server/) records a request with `gt approval request`, then asks
 * `gt approval wait <id>` until a person decides, and at its deadline `gt approval expire <id>`.
 * Each call is short (a NATS request is answered within its 30 s), so a restart of the service
 * or of NATS costs a retry, never the request: it is in the ledger once acknowledged.
 */

/** An agent asks only about the bead on its own hook: the work a person can judge the call by. */
const onHook = (bead: Bead, agent: string): boolean =>
  bead.assignee === agent && (bead.status === 'hooked' || bead.status === 'in_progress');

export const gtApprovalRequest = defineCommand<ApprovalAnswer>({
  path: ['gt', 'approval', 'request'],
  summary: 'Ask a person whether the calling agent may use a tool (its CLI’s permission prompt)',
  usage:
    'gt approval request --bead B --tool NAME --input JSON [--tool-use-id ID] [--timeout-s N] [--truncated]',
  syntax: {
    positionals: [],
    flags: {
      bead: { type: 'string', description: 'the bead on your hook the call is for' },
      tool: { type: 'string', description: 'the tool the agent wants to use (Bash, Edit, mcp__x__y…)' },
      input: { type: 'string', description: 'the tool’s input, a JSON object' },
      'tool-use-id': { type: 'string', description: 'the agent’s id of the call (asking again finds it)' },
      'timeout-s': { type: 'string', description: 'seconds the agent waits before it is told no (300)' },
      truncated: { type: 'boolean', description: 'the input was cut to be shown (no rule may answer it)' },
    },
  },
  mutates: true,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const tool = parseToolName(reqString(args, 'tool'));
    const input = parseToolInput(reqString(args, 'input'));
    const toolUseId = parseToolUseId(optString(args, 'tool-use-id'));
    const timeoutS = parseTimeoutS(optString(args, 'timeout-s'));
    const truncated = flag(args, 'truncated');
    const bead = await ledger.getBead(await resolveBeadRef(ledger, reqString(args, 'bead')));
    if (!bead) throw notFound('bead', reqString(args, 'bead'));
    const agent = ctx.actor.id;
    if (ctx.actor.kind === 'agent' && !onHook(bead, agent))
      throw refused(
        'not_hooked',
        `${bead.id} is not on ${agent}'s hook (${bead.status}, ${bead.assignee ?? 'nobody'}); an agent asks only about its own hooked bead`,
      );
    if (!bead.rig)
      throw refused(
        'no_rig',
        `${bead.id} is town-level; only a rig's bead can ask (its rig's people decide)`,
      );
    const again = toolUseId ? await sameCall(ctx, agent, toolUseId) : null;
    if (again) return { data: answerOf(approvalFacts(again)) };
    const subject = callSubject(tool, input);
    const rules = (await ledger.getRig(bead.rig))?.approval_rules ?? [];
    const rule = matchingRule(rules, { tool, subject, truncated });
    if (rule) {
      ctx.services.onApproval?.('allow_rule');
      return {
        data: {
          id: null,
          state: 'allow',
          decision: 'rule',
          message: `allowed by rig ${bead.rig}'s rule ${ruleText(rule)} (added by ${rule.by})`,
          rule: ruleText(rule),
          deadline: null,
        },
      };
    }
    const write = ctx.write();
    const request = {
      agent,
      bead: bead.id,
      rig: bead.rig,
      tool,
      input,
      toolUseId,
      truncated,
      deadline: new Date(write.now.getTime() + timeoutS * 1000),
    };
    const created = await ledger.createBead(
      {
        title: approvalTitle(tool, subject),
        description: approvalDescription(request),
        issue_type: 'decision',
        priority: 1,
        labels: approvalLabels(request),
        rig: null,
      },
      write,
    );
    return { data: answerOf(approvalFacts(created)) };
  },
  text: answerText,
});

/** The agent's earlier request for the same call (a retry after a lost reply), if any. */
async function sameCall(ctx: CommandContext, agent: string, toolUseId: string): Promise<Bead | null> {
  const found = await ctx.services.ledger.listBeads({
    issue_type: 'decision',
    label: useLabel(toolUseId),
    all: true,
  });
  return found.find((b) => isApproval(b) && approvalFacts(b).agent === agent) ?? null;
}

const POLL_MS = 250;

export const gtApprovalWait = defineCommand<ApprovalAnswer>({
  path: ['gt', 'approval', 'wait'],
  summary: 'How an approval request stands; with --wait-s, answer once decided or after that long',
  usage: `gt approval wait <id> [--wait-s N (0-${MAX_WAIT_S})]`,
  syntax: {
    positionals: [{ name: 'id', required: true }],
    flags: {
      'wait-s': {
        type: 'string',
        description: `seconds to hold the answer for a decision (0-${MAX_WAIT_S})`,
      },
    },
  },
  mutates: false,
  async run(args, ctx) {
    const waitMs = (optInt(args, 'wait-s', 0, MAX_WAIT_S) ?? 0) * 1000;
    const started = Date.now();
    for (;;) {
      const { facts } = await loadApproval(ctx.services.ledger, reqString(args, 'id'));
      const left = waitMs - (Date.now() - started);
      if (facts.decision !== null || left <= 0) return { data: answerOf(facts) };
      // The ledger is the only place a decision is kept (any replica may take the click): look
      // again shortly, rather than subscribe to what another replica may never publish here.
      await new Promise((r) => setTimeout(r, Math.min(POLL_MS, left)));
    }
  },
  text: answerText,
});

export const gtApprovalExpire = defineCommand<ApprovalAnswer>({
  path: ['gt', 'approval', 'expire'],
  summary: 'Close an approval request nobody answered: the agent is told no',
  usage: 'gt approval expire <id>',
  syntax: { positionals: [{ name: 'id', required: true }], flags: {} },
  mutates: true,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const { bead, facts } = await loadApproval(ledger, reqString(args, 'id'));
    // Decided meanwhile (a click just before the deadline): that decision stands.
    if (facts.decision !== null) return { data: answerOf(facts) };
    const write = ctx.write();
    const claimed = await ledger.claimBead(
      bead.id,
      {
        expect: { status: bead.status, assignee: bead.assignee, version: bead.version },
        set: { status: 'in_progress', assignee: ctx.actor.id, add_labels: [decisionLabel('timeout')] },
      },
      write,
    );
    if (!claimed) return { data: answerOf((await loadApproval(ledger, bead.id)).facts) };
    const closed = await ledger.closeBead(
      bead.id,
      { reason: REASONS.timeout(waitedS(facts)), force: true },
      write,
    );
    ctx.services.onApproval?.('timeout');
    return { data: answerOf(approvalFacts(closed)) };
  },
  text: answerText,
});
