import { APPROVAL_LABEL, approvalFacts, isApproval, isOverdue, stateOf } from '../../domain/approval.ts';
import { type ApprovalRule, ruleText } from '../../domain/approval-rules.ts';
import { parseRigName } from '../../domain/rig.ts';
import { flag, optString } from '../args.ts';
import { defineCommand } from '../command.ts';

export interface ApprovalRow {
  id: string;
  rig: string;
  agent: string;
  bead: string;
  tool: string;
  /** What the call acts on (the command, the file), on one line and cut to 200 characters. */
  subject: string;
  /** `pending` (a person's turn), `expired` (the agent gave up; nobody closed it yet), `allow`, `deny`. */
  state: 'pending' | 'expired' | 'allow' | 'deny';
  deadline: string;
  reason: string;
  version: number;
}

export interface ApprovalList {
  requests: ApprovalRow[];
  /**
   * The allow-lists of the rigs shown: what is answered without a person. `n` numbers a rule within
   * its rig (from 1, in the list's order) and `rig_version` is its rig's version: what
   * `gt approval revoke <rig> <n> --version N` takes.
   */
  rules: ListedRule[];
}

export type ListedRule = ApprovalRule & { rig: string; n: number; rig_version: number };

const shortLine = (s: string): string => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length <= 200 ? one : `${one.slice(0, 199)}…`;
};

/**
 * `gt approval list [--rig R] [--all]`: the permission requests waiting for a person (oldest
 * first: the agent waiting longest), with `--all` the decided ones too, and the allow-list rules
 * of the rigs shown, numbered per rig with the rig's version (docs/approvals.md).
 */
export const gtApprovalList = defineCommand<ApprovalList>({
  path: ['gt', 'approval', 'list'],
  summary: 'Agents’ permission requests waiting for a person, and the rigs’ allow-lists',
  usage: 'gt approval list [--rig R] [--all]',
  syntax: {
    positionals: [],
    flags: {
      rig: { type: 'string', description: 'only this rig’s requests and rules' },
      all: { type: 'boolean', description: 'decided requests too' },
    },
  },
  mutates: false,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const raw = optString(args, 'rig');
    const rig = raw === undefined ? undefined : parseRigName(raw);
    const now = ctx.services.now();
    const beads = await ledger.listBeads({
      issue_type: 'decision',
      label: APPROVAL_LABEL,
      all: flag(args, 'all'),
    });
    const requests = beads
      .filter(isApproval)
      .map(approvalFacts)
      .filter((f) => rig === undefined || f.rig === rig)
      .map((f): ApprovalRow => {
        const state = stateOf(f.decision);
        return {
          id: f.id,
          rig: f.rig,
          agent: f.agent,
          bead: f.bead,
          tool: f.tool,
          subject: shortLine(f.subject),
          state: state === 'pending' && isOverdue(f, now) ? 'expired' : state,
          deadline: f.deadline,
          reason: f.reason,
          version: f.version,
        };
      })
      .sort((a, b) => a.deadline.localeCompare(b.deadline) || a.id.localeCompare(b.id));
    const rigs = (await ledger.listRigs()).filter((r) => rig === undefined || r.name === rig);
    const rules = rigs.flatMap((r) =>
      r.approval_rules.map((rule, i) => ({ ...rule, rig: r.name, n: i + 1, rig_version: r.version })),
    );
    return { data: { requests, rules } };
  },
  text: ({ requests, rules }) =>
    [
      ...(requests.length === 0
        ? ['No permission requests waiting.']
        : requests.map(
            (r) =>
              `${r.state.toUpperCase().padEnd(7)} ${r.id}  ${r.agent} on ${r.bead}  ${r.tool}: ${r.subject}${
                r.state === 'pending' ? `  (until ${r.deadline})` : r.reason ? `  — ${r.reason}` : ''
              }`,
          )),
      ...(rules.length
        ? [
            '',
            'Allowed without asking (remove one: gt approval revoke <rig> <n> --version N):',
            ...rulesText(rules),
          ]
        : []),
    ].join('\n'),
});

/** Each rig's rules under a line naming the rig and its version, numbered as revoke takes them. */
const rulesText = (rules: readonly ListedRule[]): string[] =>
  rules.flatMap((r) => [
    ...(r.n === 1 ? [`  ${r.rig} (version ${r.rig_version}):`] : []),
    `    ${String(r.n).padStart(3)}. ${ruleText(r)}  (${r.by}, ${r.at})`,
  ]);
