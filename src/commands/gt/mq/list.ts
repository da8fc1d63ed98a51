import { DEFAULT_MAX_WAIT_MS } from '../../../domain/merge-batch.ts';
import { type MergeRequest, OPEN_MR_STATUSES } from '../../../domain/merge-request.ts';
import { type MqFreeze, parseRigName } from '../../../domain/rig.ts';
import { convoysOfMrs } from '../../../ledger/convoy-lanes.ts';
import { flag, optString, reqString } from '../../args.ts';
import { defineCommand } from '../../command.ts';
import { frozenLine, frozenLines, frozenRigs, loadMr, type QueueRow, queueRows, rowLine } from './view.ts';

/** `gt mq status`: the merge request as stored, and the freeze of its rig's queue (null: none). */
export interface MrStatusView extends MergeRequest {
  frozen: MqFreeze | null;
}

export const gtMqList = defineCommand<QueueRow[]>({
  path: ['gt', 'mq', 'list'],
  summary: 'The merge queue: what is being verified, what waits (in order), what needs a person',
  usage: 'gt mq list [<rig>] [--all]',
  syntax: {
    positionals: [{ name: 'rig' }],
    flags: { all: { type: 'boolean', description: 'merged, rejected and superseded ones too' } },
  },
  mutates: false,
  async run(args, ctx) {
    const raw = optString(args, 'rig');
    const rig = raw === undefined ? undefined : parseRigName(raw);
    const mrs = await ctx.services.ledger.listMergeRequests({
      ...(rig !== undefined && { rig }),
      ...(!flag(args, 'all') && { status: OPEN_MR_STATUSES }),
    });
    const freezes = await frozenRigs(ctx.services.ledger, rig === undefined ? undefined : [rig]);
    const lanes = {
      now: ctx.services.now(),
      maxWaitMs: ctx.services.mergeQueue?.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
      convoyOf: await convoysOfMrs(
        ctx.services.ledger,
        mrs.filter((m) => m.status === 'queued'),
      ),
    };
    return { data: queueRows(mrs, lanes, freezes) };
  },
  // Every frozen rig with rows in view first: its queue verifies, nothing of it lands.
  text: (rows) =>
    rows.length === 0 ? 'The merge queue is empty.' : [...frozenLines(rows), ...rows.map(rowLine)].join('\n'),
});

export const gtMqStatus = defineCommand<MrStatusView>({
  path: ['gt', 'mq', 'status'],
  summary: 'One merge request: its state, attempts and the results of its gates',
  usage: 'gt mq status <mr>',
  syntax: { positionals: [{ name: 'mr', required: true }], flags: {} },
  mutates: false,
  async run(args, ctx) {
    const mr = await loadMr(ctx.services.ledger, reqString(args, 'mr'));
    const frozen = (await ctx.services.ledger.getRig(mr.rig))?.mq_frozen ?? null;
    return { data: { ...mr, frozen } };
  },
  text: (mr) =>
    [
      ...(mr.frozen ? [frozenLine(mr.rig, mr.frozen)] : []),
      `${mr.id}  ${mr.status}  ${mr.rig}  ${mr.bead_id ?? '-'}  ${mr.branch}@${mr.sha} → ${mr.target}`,
      `attempts ${mr.attempts}${mr.merge_commit ? `  merged at ${mr.merge_commit}` : ''}`,
      ...(mr.reason ? [mr.reason] : []),
      ...mr.gates.map(
        (g) =>
          `  ${g.timed_out ? 'TIMEOUT' : g.exit === 0 ? 'pass' : `exit ${g.exit}`}${(g.runs ?? 1) > 1 ? ` (${g.runs} runs)` : ''}  ${g.command}  (${g.duration_ms} ms)`,
      ),
    ].join('\n'),
});
