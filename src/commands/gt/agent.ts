import { parseAgentAddress } from '../../domain/agent-address.ts';
import type { Bead } from '../../domain/bead.ts';
import { type HookView, polecatBranch } from '../../domain/hook.ts';
import type { Ledger } from '../../ledger/port.ts';
import { optString } from '../args.ts';
import { type CommandContext, defineCommand } from '../command.ts';
import type { Args } from '../syntax.ts';
import { remainingBudget } from './convoy/budget-watch.ts';
import { convoysTracking } from './convoy/tracked.ts';
import { integrationTargetOf } from './mq/integration-target.ts';

/** What is on an agent's hook. The agent is `--agent` or the caller. */

export const agentOf = (args: Args, ctx: CommandContext): string => {
  const raw = optString(args, 'agent');
  return parseAgentAddress(raw ?? ctx.actor.id, raw === undefined ? 'your address (set --agent)' : '--agent');
};

export async function hookedBead(ledger: Ledger, agent: string): Promise<Bead | null> {
  const mine = await ledger.listBeads({ assignee: agent, status: ['hooked', 'in_progress'] });
  return mine[0] ?? null;
}

export const gtHook = defineCommand<HookView>({
  path: ['gt', 'hook'],
  summary: 'The work on an agent’s hook, with its prompt',
  usage: 'gt hook [--agent ADDR]',
  syntax: {
    positionals: [],
    flags: { agent: { type: 'string', description: 'whose hook (default: GT_AGENT)' } },
  },
  mutates: false,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const agent = agentOf(args, ctx);
    const bead = await hookedBead(ledger, agent);
    if (!bead) return { data: { agent, bead: null, prompt: null } };
    const [convoy] = await convoysTracking(ledger, bead.id);
    const [rework] = await ledger.listMergeRequests({ bead: bead.id, status: ['needs-rework'] });
    const prompt = {
      title: bead.title,
      description: bead.description,
      acceptance: bead.acceptance_criteria,
      convoy_id: convoy?.id ?? null,
      branch: polecatBranch(agent, bead.id),
      rework: rework ? `${rework.id} could not land on ${rework.target}: ${rework.reason}` : null,
      start_from:
        rework && rework.branch !== polecatBranch(agent, bead.id)
          ? rework.branch
          : await integrationTargetOf(ledger, bead),
      budget_remaining_usd: convoy ? await remainingBudget(ledger, convoy.id) : null,
    };
    return { data: { agent, bead, prompt } };
  },
  text: (h) =>
    h.bead && h.prompt
      ? [
          `${h.agent}: ${h.bead.id} '${h.bead.title}' [${h.bead.status}]`,
          `branch: ${h.prompt.branch}`,
          '',
          h.prompt.description,
        ]
          .join('\n')
          .trim()
      : `${h.agent}: nothing on the hook`,
});
