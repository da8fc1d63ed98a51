import { parseAgentAddress } from '../../domain/agent-address.ts';
import type { Bead } from '../../domain/bead.ts';
import { conflict, DomainError, refused } from '../../domain/errors.ts';
import { respawnCount, respawnPatch } from '../../domain/respawns.ts';
import type { Ledger, WriteContext } from '../../ledger/port.ts';
import { optString, reqString } from '../args.ts';
import { type CommandContext, defineCommand } from '../command.ts';
import { hookedBead } from './agent.ts';
import { refuseOverBudget } from './convoy/budget-dispatch.ts';
import { sling } from './sling.ts';

/**
 * Respawns `agent` on `bead`: one compare-and-swap that bumps the bead's respawn counter. Its
 * `bead_claimed` event re-dispatches the bead to the same polecat, and the runner replaces any
 * process still running it (a newer claim wins).
 */
export async function respawnOnHook(
  ledger: Ledger,
  bead: Bead,
  agent: string,
  write: WriteContext,
): Promise<Bead> {
  const respawned = await ledger.claimBead(
    bead.id,
    {
      expect: { status: bead.status, assignee: agent, version: bead.version },
      set: { status: 'hooked', assignee: agent, ...respawnPatch(bead) },
    },
    write,
  );
  if (!respawned) throw conflict('bead_moved', `${bead.id} changed meanwhile; look again with gt polecats`);
  return respawned;
}

/**
 * Gives the bead back to the queue: one compare-and-swap hooked-to-agent → open (the respawn
 * counter bumped when the polecat died on it), the slot freed, and the bead slung again at once
 * to whichever polecat is free (a failed sling is retried by the stranded scan).
 */
export async function releaseFromHook(
  ledger: Ledger,
  bead: Bead,
  agent: string,
  write: WriteContext,
  countRespawn: boolean,
): Promise<void> {
  const released = await ledger.claimBead(
    bead.id,
    {
      expect: { status: bead.status, assignee: agent, version: bead.version },
      set: { status: 'open', assignee: null, ...(countRespawn ? respawnPatch(bead) : {}) },
    },
    write,
  );
  if (!released) throw conflict('bead_moved', `${bead.id} changed meanwhile; nothing was released`);
  const [rig, name] = agent.split('/') as [string, string];
  await ledger.freeSlot(rig, name, bead.id);
  await sling(ledger, bead.id, undefined, false, write).catch(() => undefined);
}

async function hookOf(ctx: CommandContext, raw: string): Promise<{ agent: string; bead: Bead }> {
  const agent = parseAgentAddress(raw, '<agent>');
  const bead = await hookedBead(ctx.services.ledger, agent);
  if (!bead) throw refused('nothing_hooked', `${agent} has nothing on its hook; see gt polecats`);
  return { agent, bead };
}

export interface PolecatActionResult {
  agent: string;
  bead_id: string;
  respawns: number;
}

type Act = (ctx: CommandContext, agent: string, bead: Bead, write: WriteContext) => Promise<string>;

/**
 * `gt polecat <word> <addr> [--reason TEXT]`: one action on a polecat and the bead on its hook,
 * noted on the bead with the reason. `act` does it and says what it did.
 */
function polecatVerb(word: string, summary: string, act: Act, text: (r: PolecatActionResult) => string) {
  return defineCommand<PolecatActionResult>({
    path: ['gt', 'polecat', word],
    summary,
    usage: `gt polecat ${word} <addr> [--reason TEXT]`,
    syntax: {
      positionals: [{ name: 'agent', required: true }],
      flags: { reason: { type: 'string', description: 'why (recorded on the bead)' } },
    },
    mutates: true,
    async run(args, ctx) {
      const { agent, bead } = await hookOf(ctx, reqString(args, 'agent'));
      const write = ctx.write();
      const did = await act(ctx, agent, bead, write);
      const reason = optString(args, 'reason');
      await ctx.services.ledger.addComment(bead.id, `${did}${reason ? `: ${reason}` : ''}`, write);
      const after = (await ctx.services.ledger.getBead(bead.id)) ?? bead;
      return { data: { agent, bead_id: bead.id, respawns: respawnCount(after) } };
    },
    text,
  });
}

export const gtPolecatRespawn = polecatVerb(
  'respawn',
  'Start a polecat again on the bead on its hook (counts toward its respawn limit)',
  async (ctx, agent, bead, write) => {
    const ledger = ctx.services.ledger;
    // A polecat whose convoy used its budget (Claude stops itself at --max-budget-usd) is not
    // crashing: another would stop at once. The bead waits in the queue, not a respawn, until the
    // budget is extended (which slings it again) — reference agent-runtimes.md §5 T12.
    const held = await refuseOverBudget(ledger, bead.id).then(
      () => null,
      (err: unknown) =>
        err instanceof DomainError && err.code === 'over_budget' ? err.message : Promise.reject(err),
    );
    if (held) {
      await releaseFromHook(ledger, bead, agent, write, false);
      return `back to the queue, not respawned: ${held}`;
    }
    const respawned = await respawnOnHook(ledger, bead, agent, write);
    return `respawned ${agent} (respawn ${respawnCount(respawned)})`;
  },
  (r) => `respawning ${r.agent} on ${r.bead_id} (respawn ${r.respawns})`,
);

export const gtPolecatStop = polecatVerb(
  'stop',
  'Stop a polecat’s process; the bead stays on its hook for a person to decide',
  async (ctx, agent, bead) => {
    await ctx.services.live?.stop(agent, bead.id);
    return `stopped ${agent}`;
  },
  (r) => `stopped ${r.agent} (${r.bead_id} stays hooked)`,
);

export const gtPolecatRelease = polecatVerb(
  'release',
  'Give a dead polecat’s bead back to the queue (counts toward the bead’s respawn limit)',
  async (ctx, agent, bead, write) => {
    await releaseFromHook(ctx.services.ledger, bead, agent, write, true);
    return `released from ${agent}`;
  },
  (r) => `released ${r.bead_id} from ${r.agent} to the queue`,
);
