import type { Bead } from '../../domain/bead.ts';
import { conflict, notFound, refused } from '../../domain/errors.ts';
import { approvedReason, isFormulaGate } from '../../domain/human-gate.ts';
import { parseRigName } from '../../domain/rig.ts';
import { formatDuration, isTimerGate, timerOpensAt, timerTimeoutMs } from '../../domain/timer-gate.ts';
import { optString, reqString } from '../args.ts';
import { resolveBeadRef } from '../bead-ref.ts';
import { defineCommand } from '../command.ts';
import { checkVersion } from './escalation-record.ts';

export interface GateRow {
  id: string;
  /** `human`: a person approves it; `timer`: the service opens it once its time has come. */
  kind: 'human' | 'timer';
  title: string;
  rig: string | null;
  /** Ready: what it gates is done; a person may approve a human gate now. */
  ready: boolean;
  /** A timer gate's clock (created + timeout; it also waits for its step); null: a human gate. */
  opens_at: string | null;
  version: number;
}

const rowOf = (b: Bead): GateRow => ({
  id: b.id,
  kind: isTimerGate(b) ? 'timer' : 'human',
  title: b.title,
  rig: b.rig,
  ready: b.status === 'open' && !b.is_blocked,
  opens_at: timerOpensAt(b)?.toISOString() ?? null,
  version: b.version,
});

/** A person's turn first (ready human gates), then the ones waiting, then timers by their clock. */
const order = (g: GateRow): number => (g.kind === 'timer' ? 2 : g.ready ? 0 : 1);

function rowText(g: GateRow): string {
  const where = g.rig ? `  (${g.rig})` : '';
  if (g.kind === 'human') return `${g.ready ? 'READY  ' : 'waiting'} ${g.id}  ${g.title}${where}`;
  const opens = g.opens_at ?? 'never (its timeout label is unreadable)';
  return `timer   ${g.id}  ${g.title}${where}  opens ${opens}${g.ready ? '' : ', once its step is done'}`;
}

/**
 * `gt gate list [--rig R]`: the gates still holding work — human ones, the ready ones (a person's
 * turn) first, then timer gates with when they open by themselves.
 */
export const gtGateList = defineCommand<GateRow[]>({
  path: ['gt', 'gate', 'list'],
  summary: 'Gates still holding work: human ones for a person (ready first), timers with when they open',
  usage: 'gt gate list [--rig R]',
  syntax: { positionals: [], flags: { rig: { type: 'string', description: 'only this rig’s gates' } } },
  mutates: false,
  async run(args, ctx) {
    const rig = optString(args, 'rig');
    const open = await ctx.services.ledger.listBeads({
      issue_type: 'decision',
      ...(rig !== undefined && { rig: parseRigName(rig) }),
    });
    const rows = open.filter(isFormulaGate).map(rowOf);
    return {
      data: rows.sort(
        (a, b) =>
          order(a) - order(b) ||
          (a.opens_at ?? '').localeCompare(b.opens_at ?? '') ||
          a.id.localeCompare(b.id),
      ),
    };
  },
  text: (rows) => (rows.length === 0 ? 'No gates open.' : rows.map(rowText).join('\n')),
});

/**
 * `gt gate approve <id> [-m NOTE] [--version N]`: a person approves a human gate — one
 * compare-and-swap (open → in progress at the version seen, then closed `Approved by …`), so of
 * two approvals one wins and the other is told; what waited on it is then fed to polecats.
 * Only a ready gate: one still waiting on the work it reviews is refused, saying on what. A timer
 * gate is refused too, saying when it opens by itself.
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
    const id = await resolveBeadRef(ledger, reqString(args, 'id'), 'gate');
    const gate = await ledger.getBead(id);
    if (!gate) throw notFound('gate', id);
    if (isTimerGate(gate) && gate.status !== 'closed') throw timerRefusal(gate);
    if (!isFormulaGate(gate)) throw refused('not_a_gate', `${id} is not a human gate; see gt gate list`);
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

/** Nobody approves a timer gate: say when it opens by itself, and how to open it early anyway. */
function timerRefusal(gate: Bead) {
  const opens = timerOpensAt(gate);
  const ms = timerTimeoutMs(gate);
  const step = gate.is_blocked ? ', once its step is done' : '';
  const when =
    opens && ms !== null
      ? `it opens by itself at ${opens.toISOString()} (${formatDuration(ms)} after it was created)${step}`
      : 'its timeout label is unreadable, so it never opens by itself';
  return refused(
    'timer_gate',
    `${gate.id} is a timer gate, not approved by anyone: ${when}; to open it early, bd close ${gate.id} -r WHY`,
  );
}
