import { parseAgentAddress } from '../../domain/agent-address.ts';
import type { Bead } from '../../domain/bead.ts';
import { refused, usageError } from '../../domain/errors.ts';
import { type HookView, polecatBranch } from '../../domain/hook.ts';
import type { Ledger } from '../../ledger/port.ts';
import { optString } from '../args.ts';
import { type CommandContext, defineCommand } from '../command.ts';
import type { Args } from '../syntax.ts';
import { convoysTracking } from './convoy/tracked.ts';

/** The agent-side verbs: what is on my hook, and "I am done". The agent is `--agent` or the caller. */

const agentOf = (args: Args, ctx: CommandContext): string => {
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
    const prompt = {
      title: bead.title,
      description: bead.description,
      acceptance: bead.acceptance_criteria,
      convoy_id: convoy?.id ?? null,
      branch: polecatBranch(agent, bead.id),
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

const DONE_STATUSES = ['completed', 'escalated', 'deferred'] as const;
type DoneStatus = (typeof DONE_STATUSES)[number];

export interface DoneResult {
  id: string;
  agent: string;
  exit: DoneStatus;
  status: string;
  branch: string | null;
  commit: string | null;
}

/**
 * `gt done`: completed closes the bead; escalated marks it blocked (label gt:escalated) for a
 * human; deferred parks it (status deferred, unassigned) until someone re-slings it. Either way the polecat's slot is freed and
 * the branch and last commit are recorded on the bead.
 */
export const gtDone = defineCommand<DoneResult>({
  path: ['gt', 'done'],
  summary: 'Finish the work on my hook (completed, escalated or deferred)',
  usage: 'gt done [--status completed|escalated|deferred] [--agent ADDR] [--branch B] [--commit SHA]',
  syntax: {
    positionals: [],
    flags: {
      status: { type: 'string', description: 'completed (default), escalated or deferred' },
      agent: { type: 'string', description: 'whose hook (default: GT_AGENT)' },
      branch: { type: 'string', description: 'branch holding the work (default: GT_BRANCH)' },
      commit: { type: 'string', description: 'last commit (default: HEAD of the working directory)' },
    },
  },
  mutates: true,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const agent = agentOf(args, ctx);
    const exit = (optString(args, 'status') ?? 'completed').toLowerCase() as DoneStatus;
    if (!DONE_STATUSES.includes(exit))
      throw usageError('invalid_done_status', `--status must be one of ${DONE_STATUSES.join(', ')}`);
    const bead = await hookedBead(ledger, agent);
    if (!bead) throw refused('nothing_hooked', `${agent} has nothing on its hook; see gt hook`);
    const branch = optString(args, 'branch') ?? null;
    const commit = optString(args, 'commit') ?? null;
    const write = ctx.write();
    await ledger.addComment(
      bead.id,
      `gt done (${exit}) by ${agent}${branch ? ` on ${branch}` : ''}${commit ? ` at ${commit}` : ''}`,
      write,
    );
    const after =
      exit === 'completed'
        ? await ledger.closeBead(
            bead.id,
            { reason: `Done by ${agent}${commit ? ` at ${commit}` : ''}` },
            write,
          )
        : exit === 'deferred'
          ? await ledger.updateBead(bead.id, { status: 'deferred', assignee: null }, write)
          : await ledger.updateBead(bead.id, { status: 'blocked', add_labels: ['gt:escalated'] }, write);
    if (bead.rig && agent.startsWith(`${bead.rig}/`))
      await ledger.freeSlot(bead.rig, agent.slice(bead.rig.length + 1), bead.id);
    return { data: { id: bead.id, agent, exit, status: after.status, branch, commit } };
  },
  text: (d) => `${d.id}: ${d.exit} (${d.status})${d.commit ? ` at ${d.commit}` : ''}`,
});
