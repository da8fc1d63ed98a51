import type { Bead } from '../../domain/bead.ts';
import { conflict, notFound, refused } from '../../domain/errors.ts';
import { approvedReason, isHumanGate } from '../../domain/human-gate.ts';
import { parseRigName } from '../../domain/rig.ts';
import { parseId } from '../../domain/validation.ts';
import { optString, reqString } from '../args.ts';
import { defineCommand } from '../command.ts';
import { checkVersion } from './escalation-record.ts';

export interface GateRow {
  id: string;
  title: string;
  rig: string | null;
  /** Ready: what it gates is done; a person may approve it now. */
  ready: boolean;
  version: number;
}

const rowOf = (b: Bead): GateRow => ({
  id: b.id,
  title: b.title,
  rig: b.rig,
  ready: b.status === 'open' && !b.is_blocked,
  version: b.version,
});

/** `gt gate list [--rig R]`: the human gates still open, the ready ones (a person's turn) first. */
export const gtGateList = defineCommand<GateRow[]>({
  path: ['gt', 'gate', 'list'],
  summary: 'Human gates waiting for a person (the ready ones first)',
  usage: 'gt gate list [--rig R]',
  syntax: { positionals: [], flags: { rig: { type: 'string', description: 'only this rig’s gates' } } },
  mutates: false,
  async run(args, ctx) {
    const rig = optString(args, 'rig');
    const open = await ctx.services.ledger.listBeads({
      issue_type: 'decision',
      ...(rig !== undefined && { rig: parseRigName(rig) }),
    });
    const rows = open.filter(isHumanGate).map(rowOf);
    return { data: rows.sort((a, b) => Number(b.ready) - Number(a.ready) || a.id.localeCompare(b.id)) };
  },
  text: (rows) =>
    rows.length === 0
      ? 'No human gates open.'
      : rows
          .map((g) => `${g.ready ? 'READY  ' : 'waiting'} ${g.id}  ${g.title}${g.rig ? `  (${g.rig})` : ''}`)
          .join('\n'),
});

/**
 * `gt gate approve <id> [-m NOTE] [--version N]`: a person approves a human gate — one
 * compare-and-swap (open → in progress at the version seen, then closed `Approved by …`), so of
 * two approvals one wins and the other is told; what waited on it is then fed to polecats.
 * Only a ready gate: one still waiting on the work it reviews is refused, saying on what.
 */
export const gtGateApprove = defineCommand<Bead>({
  path: ['gt', 'gate', 'approve'],
  summary: 'Approve a human gate: what waits on it goes to polecats',
  usage: 'gt gate approve <id> [-m NOTE] [--version N]',
  syntax: {
    positionals: [{ name: 'id', required: true }],
    flags: {
      message: { type: 'string', short: 'm', description: 'a note kept with the approval' },
      version: { type: 'string', description: 'the version you saw (a chat button sends it)' },
    },
  },
  mutates: true,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const id = parseId(reqString(args, 'id'));
    const gate = await ledger.getBead(id);
    if (!gate) throw notFound('gate', id);
    if (!isHumanGate(gate)) throw refused('not_a_gate', `${id} is not a human gate; see gt gate list`);
    if (gate.status === 'closed')
      throw conflict('gate_closed', `${id} is already closed (${gate.close_reason})`);
    checkVersion(gate, optString(args, 'version'), 'gt gate list');
    if (gate.is_blocked) {
      const waits = (await ledger.dependenciesOf(id))
        .filter((d) => d.type === 'blocks')
        .map((d) => d.depends_on_id);
      throw refused(
        'gate_not_ready',
        `${id} waits on ${waits.join(', ')}: approve it once that is done (see gt gate list)`,
      );
    }
    const write = ctx.write();
    const claimed = await ledger.claimBead(
      id,
      {
        expect: { status: gate.status, assignee: gate.assignee, version: gate.version },
        set: { status: 'in_progress', assignee: ctx.actor.id },
      },
      write,
    );
    if (!claimed)
      throw conflict('stale_version', `${id} changed meanwhile (approved by someone else?); gt gate list`);
    const note = optString(args, 'message')?.trim();
    return {
      data: await ledger.closeBead(id, { reason: approvedReason(ctx.actor.id, note), force: true }, write),
    };
  },
  text: (b) => `${b.id}: ${b.close_reason}`,
});
