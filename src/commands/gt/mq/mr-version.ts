import { conflict } from '../../../domain/errors.ts';
import type { MergeRequest } from '../../../domain/merge-request.ts';
import { optInt } from '../../args.ts';

/** `--version N` of the decisions on a merge request (chat buttons carry the version they showed). */
export const MR_VERSION_FLAG = {
  version: {
    type: 'string' as const,
    description: 'refuse unless the merge request is still at this version',
  },
};

/**
 * A click on a merge-queue card decides on the MR as the card showed it: if it moved since
 * (retried, landed, decided by someone else), the decision is refused and nothing changes. The
 * move itself is then a compare-and-swap on that same version (moveMergeRequest).
 */
export function checkMrVersion(mr: MergeRequest, raw: string | undefined): void {
  if (raw === undefined) return;
  const expected = optInt({ version: raw }, 'version', 0, Number.MAX_SAFE_INTEGER);
  if (expected !== mr.version)
    throw conflict(
      'stale_version',
      `${mr.id} changed meanwhile: now ${mr.status} (version ${mr.version}, not ${expected}); look again with gt mq status ${mr.id}`,
      { status: mr.status, version: mr.version },
    );
}
