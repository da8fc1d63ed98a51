import { parseRigName } from '../../domain/rig.ts';
import { polecatAddress } from '../../domain/sling.ts';
import { optString } from '../args.ts';
import { defineCommand } from '../command.ts';

export interface PolecatRow {
  rig: string;
  name: string;
  address: string;
  bead_id: string;
  bead_status: string | null;
  since: string;
}

/**
 * `gt polecats`: who holds a slot, on which bead, since when. Health verdicts (healthy, stalled,
 * zombie…) join this view with the witness (issue 5).
 */
export const gtPolecats = defineCommand<PolecatRow[]>({
  path: ['gt', 'polecats'],
  summary: 'Polecats holding a slot, and their beads',
  usage: 'gt polecats [--rig R]',
  syntax: { positionals: [], flags: { rig: { type: 'string', description: 'only this rig' } } },
  permission: 'read',
  mutates: false,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const only = optString(args, 'rig');
    const rigs = only !== undefined ? [parseRigName(only)] : (await ledger.listRigs()).map((r) => r.name);
    const rows: PolecatRow[] = [];
    for (const rig of rigs) {
      for (const slot of await ledger.listSlots(rig)) {
        const bead = await ledger.getBead(slot.bead_id);
        rows.push({
          rig,
          name: slot.name,
          address: polecatAddress(rig, slot.name),
          bead_id: slot.bead_id,
          bead_status: bead?.status ?? null,
          since: slot.taken_at,
        });
      }
    }
    return { data: rows };
  },
  text: (rows) =>
    rows.length === 0
      ? 'No polecats at work.'
      : rows
          .map((r) => `${r.address}  ${r.bead_id} [${r.bead_status ?? 'gone'}]  since ${r.since}`)
          .join('\n'),
});
