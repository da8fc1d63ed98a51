import { refused } from '../../domain/errors.ts';
import type { CommandContext } from '../command.ts';
import { checkWork, type Work } from './mq/submission.ts';

export interface DirectlyLanded {
  commit: string;
  target: string;
  gates: number;
}

/**
 * `gt done` on work whose strategy is `direct`: checked like a submission, then verified and
 * landed in this very request (services/refinery/direct-landing.ts). When it does not land, the
 * polecat — still in its session, the work in its worktree — is told why and fixes it; the
 * evidence is noted on the bead as well (a respawned session finds it there). Nothing else
 * changes: the bead stays on its hook.
 */
export async function landDirectly(ctx: CommandContext, w: Work): Promise<DirectlyLanded> {
  const landings = ctx.services.landings;
  if (!landings)
    throw refused(
      'direct_unavailable',
      'the service cannot land work directly yet (it is starting); run gt done again in a moment',
    );
  const { head, target } = await checkWork(ctx, w);
  const result = await landings.landNow(w.rig, {
    branch: w.branch,
    sha: head,
    target,
    bead_id: w.bead?.id ?? null,
  });
  if (result.landed) return { commit: result.commit, target, gates: result.gates.length };
  if (w.bead)
    await ctx.services.ledger.addComment(
      w.bead.id,
      `gt done (direct) did not land: ${result.why}`,
      ctx.write(),
    );
  throw refused(result.code, `your work did not land on ${target}: ${result.why}; then run gt done again`);
}
