import type { MergeRequest } from '../domain/merge-request.ts';
import type { Ledger } from './port.ts';

/**
 * The convoy each MR's bead rides in (its `tracks` edge; the first when several), by MR id: the
 * lanes the merge queue takes turns between (domain/merge-batch.ts). MRs without a bead or
 * convoy are absent.
 */
export async function convoysOfMrs(
  ledger: Pick<Ledger, 'dependentsOf'>,
  mrs: readonly MergeRequest[],
): Promise<Map<string, string>> {
  const lanes = new Map<string, string>();
  for (const mr of mrs) {
    if (!mr.bead_id) continue;
    const tracks = (await ledger.dependentsOf(mr.bead_id)).filter((d) => d.type === 'tracks');
    const convoy = tracks.map((d) => d.issue_id).sort()[0];
    if (convoy) lanes.set(mr.id, convoy);
  }
  return lanes;
}
