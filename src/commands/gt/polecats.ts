import { signalsFor } from '../../domain/polecat-signals.ts';
import { parseRigName } from '../../domain/rig.ts';
import { polecatAddress } from '../../domain/sling.ts';
import { dispatchPause } from '../../domain/usage-limit.ts';
import { assess, currentProcess, type Verdict } from '../../domain/witness.ts';
import { optString } from '../args.ts';
import { defineCommand } from '../command.ts';

export interface PolecatRow {
  rig: string;
  name: string;
  address: string;
  bead_id: string;
  bead_status: string | null;
  since: string;
  respawns: number;
  /** The current incarnation's process id, as its runner reported it. */
  pid: number | null;
  verdict: Verdict;
  why: string;
  /** Why the rig takes no new work now (a usage-limit pause, domain/usage-limit.ts); null when it does. */
  rig_paused: string | null;
}

/**
 * `gt polecats`: who holds a slot, on which bead, and the witness's verdict with the signals it
 * rests on (runner process report, heartbeat, output, spawn time, hook state).
 */
export const gtPolecats = defineCommand<PolecatRow[]>({
  path: ['gt', 'polecats'],
  summary: 'Polecats at work: their beads and health verdicts',
  usage: 'gt polecats [--rig R]',
  syntax: { positionals: [], flags: { rig: { type: 'string', description: 'only this rig' } } },
  mutates: false,
  async run(args, ctx) {
    const { ledger, live, now } = ctx.services;
    const only = optString(args, 'rig');
    const known = await ledger.listRigs();
    const rigs = only !== undefined ? [parseRigName(only)] : known.map((r) => r.name);
    const paused = new Map(known.map((r) => [r.name, dispatchPause(r, now())]));
    const rows: PolecatRow[] = [];
    for (const rig of rigs) {
      for (const slot of await ledger.listSlots(rig)) {
        const address = polecatAddress(rig, slot.name);
        const bead = await ledger.getBead(slot.bead_id);
        const observed = (await live?.observe(address)) ?? { process: null, heartbeatAt: null };
        const signals = signalsFor({ now: now(), address, slotTakenAt: slot.taken_at, bead, ...observed });
        const { verdict, why } = assess(signals);
        rows.push({
          rig,
          name: slot.name,
          address,
          bead_id: slot.bead_id,
          bead_status: bead?.status ?? null,
          since: slot.taken_at,
          respawns: signals.respawns,
          pid: currentProcess(signals)?.pid ?? null,
          verdict,
          why,
          rig_paused: paused.get(rig) ?? null,
        });
      }
    }
    return { data: rows };
  },
  text: (rows) =>
    rows.length === 0
      ? 'No polecats at work.'
      : [
          ...new Set(rows.flatMap((r) => (r.rig_paused ? [`⏸ ${r.rig_paused}`] : []))),
          ...rows.map(
            (r) => `${r.address}  ${r.bead_id} [${r.bead_status ?? 'gone'}]  ${r.verdict}: ${r.why}`,
          ),
        ].join('\n'),
});
