import { refused } from '../../../domain/errors.ts';
import { mayDecide } from '../../../domain/merge-decisions.ts';
import type { MergeRequest } from '../../../domain/merge-request.ts';
import { optString, reqString } from '../../args.ts';
import { defineCommand } from '../../command.ts';
import { moveMergeRequest } from './back-to-work.ts';
import { checkMrVersion, MR_VERSION_FLAG } from './mr-version.ts';
import { loadMr } from './view.ts';

/**
 * `gt mq rework <mr>`: a person sends a held merge request back to a polecat — the same decision
 * as a `merge-failed` escalation's "Send back for rework" (`merge:rework`), on the MR itself (the
 * merge-queue card's button). held → needs-rework by compare-and-swap on its version; its bead is
 * slung again at once, the hook's prompt carrying why it did not land.
 */
export const gtMqRework = defineCommand<MergeRequest>({
  path: ['gt', 'mq', 'rework'],
  summary: 'Send a held merge request back to a polecat for rework',
  usage: 'gt mq rework <mr>',
  syntax: { positionals: [{ name: 'mr', required: true }], flags: { ...MR_VERSION_FLAG } },
  mutates: true,
  async run(args, ctx) {
    const mr = await loadMr(ctx.services.ledger, reqString(args, 'mr'));
    checkMrVersion(mr, optString(args, 'version'));
    if (!mayDecide('rework', mr.status))
      throw refused('mr_state', `${mr.id} is ${mr.status}; gt mq rework applies to held merge requests`);
    const why = mr.reason ? `: ${mr.reason}` : '';
    const reason = `sent back for rework by ${ctx.actor.id}${why}`;
    return { data: await moveMergeRequest(ctx.services.ledger, mr, 'needs-rework', reason, ctx.write()) };
  },
  text: (mr) => `${mr.id}: ${mr.status} (${mr.reason})`,
});
